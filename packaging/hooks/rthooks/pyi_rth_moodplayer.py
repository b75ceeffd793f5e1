"""Runtime hook of the moodplayer bundle: runs before any of moodplayer's code.

* ``TF_USE_LEGACY_KERAS=1``: DeepFace sets it when ``deepface.DeepFace`` is
  imported, but MTCNN touches ``tf.keras`` earlier; with it set here
  ``tf.keras`` is always ``tf_keras`` (the bundle leaves Keras 3 out).
* ``QT_QPA_PLATFORM=xcb`` on Linux when an X display (or XWayland) exists and
  the user did not choose a platform: libvlc cannot draw video into a Wayland
  surface.
* ``TF_CPP_MIN_LOG_LEVEL=2`` unless set: TensorFlow's start-up notes are noise
  for someone who started a music player.
* CA certificates for the one download moodplayer makes (the scene model) when
  the bundled OpenSSL's default locations do not exist on this system.
* ``importlib.resources`` imported, as mtcnn uses it as ``importlib.resources``
  after a bare ``import importlib``.
* On Linux, the bootloader starts the program with ``LD_LIBRARY_PATH`` pointing
  into the bundle; the dynamic linker has read it by now, so it is put back as
  the user had it, and programs moodplayer starts (a web browser through
  ``xdg-open``, say) do not load the bundle's Qt instead of their own.
* ``LC_CTYPE=C.UTF-8`` when no locale is set at all (Qt wants a UTF-8 one; the
  bundle's Python runs in UTF-8 mode anyway).
"""


def _pyi_rthook() -> None:
    import importlib.resources  # noqa: F401 - see the module docstring
    import os
    import sys

    if sys.platform.startswith("linux"):
        original = os.environ.pop("LD_LIBRARY_PATH_ORIG", None)
        if original is not None:
            os.environ["LD_LIBRARY_PATH"] = original
        else:
            os.environ.pop("LD_LIBRARY_PATH", None)
        if not any(os.environ.get(v) for v in ("LC_ALL", "LC_CTYPE", "LANG")):
            os.environ["LC_CTYPE"] = "C.UTF-8"
    os.environ["TF_USE_LEGACY_KERAS"] = "1"
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    if (
        sys.platform.startswith("linux")
        and not os.environ.get("QT_QPA_PLATFORM")
        and os.environ.get("DISPLAY")
    ):
        os.environ["QT_QPA_PLATFORM"] = "xcb"
    if not os.environ.get("SSL_CERT_FILE") and not os.environ.get("SSL_CERT_DIR"):
        import ssl

        defaults = ssl.get_default_verify_paths()
        if not (defaults.cafile or defaults.capath):
            try:
                import certifi
            except ImportError:
                return
            os.environ["SSL_CERT_FILE"] = certifi.where()


_pyi_rthook()
del _pyi_rthook
