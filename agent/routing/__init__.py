"""The coordinator: decides where each caller turn goes (field_ops, it_ops or a person).

Public interface::

    coordinator = Coordinator.from_settings(settings)
    decision = coordinator.decide(utterance, state)   # reads state only
    coordinator.record(decision, state)               # commits + logs
    coordinator.index.search("reset vpn token", k=3)  # knowledge passages
"""

from agent.routing.coordinator import Coordinator
from agent.routing.decision import Decision
from agent.routing.index import KnowledgeIndex
from agent.routing.knowledge import Example, KnowledgeError, Passage
from agent.routing.policy import Policy, PolicyError

__all__ = ["Coordinator", "Decision", "Example", "KnowledgeError", "KnowledgeIndex", "Passage", "Policy", "PolicyError"]
