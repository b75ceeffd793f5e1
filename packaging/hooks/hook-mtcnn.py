"""PyInstaller hook for mtcnn: its network weights are data files.

mtcnn loads ``assets/weights/{pnet,rnet,onet}.lz4`` with
``importlib.resources.files("mtcnn.assets.weights")`` and ``joblib.load``,
which needs the ``lz4`` compressor that joblib imports only when present.
"""

from PyInstaller.utils.hooks import collect_data_files

datas = collect_data_files("mtcnn")
hiddenimports = ["lz4.frame"]
