from journeyflow.cli import main

main()
