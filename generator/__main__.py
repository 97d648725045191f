"""`python -m generator`: the same CLI as the `crm-codegen` console script."""

import sys

from generator.cli import main

sys.exit(main())
