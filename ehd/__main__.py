from ehd.cli import main

main()
