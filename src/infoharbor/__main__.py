from infoharbor.cli import main

main()
