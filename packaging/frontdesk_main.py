"""What the bundled executable runs: the `frontdesk` command (PyInstaller's entry script)."""

import sys

from desktop.cli import main

if __name__ == "__main__":
    sys.exit(main())
