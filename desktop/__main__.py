"""`python -m desktop` is the same as the `frontdesk` command."""

import sys

from desktop.cli import main

sys.exit(main())
