"""``python -m agent.cli``: what the container image and local servers start."""

import sys

from agent.cli import main

sys.exit(main())
