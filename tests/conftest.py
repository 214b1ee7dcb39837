import os

# Tests never need a display: Qt draws offscreen (set before anything imports Qt).
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
