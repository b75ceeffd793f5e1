"""PyInstaller hook for deepface.

deepface builds its models from dotted names with ``importlib`` (see
``deepface.modules.modeling.AVAILABLE_MODELS``), which the import analysis
cannot follow: collect its modules, less the PyTorch implementations (torch is
not bundled) and the Flask web API.
"""

from PyInstaller.utils.hooks import collect_data_files, collect_submodules


def _wanted(name: str) -> bool:
    parts = name.split(".")
    return "pytorch" not in parts and not name.startswith("deepface.api")


hiddenimports = collect_submodules("deepface", filter=_wanted)
datas = collect_data_files("deepface", excludes=["**/api/**", "**/pytorch/**"])
excludedimports = ["torch", "torchvision", "flask", "flask_cors"]
