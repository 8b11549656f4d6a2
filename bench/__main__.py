"""`python -m bench`: set up a database, start `jiandu serve`, measure, tear down."""

from bench.cli import main

main()
