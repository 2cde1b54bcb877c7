import sys

from ui.workspace.process import main

sys.exit(main(sys.argv[1:]))
