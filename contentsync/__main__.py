from contentsync.cli import main

main()
