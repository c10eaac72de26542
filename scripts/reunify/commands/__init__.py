"""One module per `reunify` command; each has `run(args)`. `cli.py` only parses."""
