"""The coordinator: decides where each caller turn goes (field_ops, it_ops or a person).

Public interface::

    coordinator = Coordinator.from_settings(settings)
    decision = coordinator.decide(utterance, state)   # reads state only
    coordinator.record(decision, state)               # commits + logs
    coordinator.index.search("reset vpn token", k=3)  # knowledge passages
"""

from agent.coordinator.coordinator import Coordinator
from agent.coordinator.decision import Decision
from agent.coordinator.index import KnowledgeIndex
from agent.coordinator.knowledge import Example, KnowledgeError, Passage
from agent.coordinator.policy import Policy, PolicyError

__all__ = ["Coordinator", "Decision", "Example", "KnowledgeError", "KnowledgeIndex", "Passage", "Policy", "PolicyError"]
