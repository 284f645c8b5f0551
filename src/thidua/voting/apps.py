from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VotingConfig(AppConfig):
    name = "thidua.voting"
    label = "voting"
    verbose_name = _("Hội nghị và bỏ phiếu")

    def ready(self):
        from thidua.core.phases import Phase
        from thidua.core.policy import Role
        from thidua.org.authz import register_role_provider
        from thidua.org.selectors import register_unsettled
        from thidua.org.services import register_election_check
        from thidua.voting.selectors import conference_roles, unsettled
        from thidua.voting.services import handover_vote_problems

        # The conference's delegates and its counting board are appointed per conference, not
        # derived from the cycle.
        register_role_provider(conference_roles, frozenset({Role.BOARD, Role.DELEGATE}))
        # A hand-over recorded as elected at the conference must follow the counted polls.
        register_election_check(handover_vote_problems)
        # Closing the conference first says what its nominations leave contrary to the rules.
        register_unsettled(Phase.CONFERENCE, unsettled)
