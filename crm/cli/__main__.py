"""``python -m crm.cli``: the ``crm`` command."""

import sys

from crm.cli.main import main

sys.exit(main())
