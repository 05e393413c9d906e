from launcher.stack import main
from runtime.process import exit_without_teardown

main()
exit_without_teardown()  # every child is stopped and reaped
