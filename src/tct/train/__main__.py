"""`python -m tct.train ...` (also under `torchrun ... -m tct.train ...`)."""

import sys

from tct.train.loop import main

sys.exit(main())
