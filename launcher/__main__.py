from launcher.stack import main

main()
