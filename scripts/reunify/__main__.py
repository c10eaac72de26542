import sys

from reunify.cli import main

sys.exit(main())
