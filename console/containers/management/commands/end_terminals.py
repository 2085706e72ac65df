"""`manage.py end_terminals`: end the terminal shells a previous console left running."""

from django.core.management.base import BaseCommand

from console.containers.terminal import end_left_behind


class Command(BaseCommand):
    help = (
        "End the execs (terminal shells) that console processes of this machine, now "
        "gone, left running in containers. `make run` runs it before daphne."
    )

    def handle(self, *args, **opts):
        ended = end_left_behind()
        if ended:
            self.stdout.write(f"ended {ended} terminal session(s) left behind")
