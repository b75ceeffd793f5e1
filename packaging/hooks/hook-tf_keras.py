"""PyInstaller hook for tf_keras (Keras 2), which ``tf.keras`` is when
``TF_USE_LEGACY_KERAS=1``.

TensorFlow reaches it through a lazy loader by name (``tf_keras.api._v2.keras``),
so the import analysis sees none of it: collect its modules, less its test
helpers.
"""

from PyInstaller.utils.hooks import collect_data_files, collect_submodules


def _wanted(name: str) -> bool:
    return "testing_infra" not in name and not name.endswith("_test")


hiddenimports = collect_submodules("tf_keras", filter=_wanted)
datas = collect_data_files("tf_keras")
