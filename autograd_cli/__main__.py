"""``python -m autograd_cli ARGS``: the ``autograd-core`` command."""
import sys

from .cli import main

sys.exit(main())
