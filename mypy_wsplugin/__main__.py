import sys

from mypy_wsplugin.cli import main

sys.exit(main())
