"""Operations phrases a caller might say: the WER set for tests and ``bench latency``.

Numbers are spelled as a caller says them; ``agent.dev.bench.wer`` normalises both
sides so "four five six seven" and "4567" match.
"""

PHRASES: tuple[str, ...] = (
    "My laptop will not connect to the VPN.",
    "I need to reset my password.",
    "The printer on the second floor is jammed again.",
    "I want to report an outage at site twelve.",
    "Can you check the status of work order four five six seven?",
    "The generator at the north depot is making a loud noise.",
    "Please open an incident for the payroll system.",
    "My email account is locked.",
    "The air conditioning in the server room has failed.",
    "I need a technician to look at a leaking pipe.",
    "Who is on call for the network team tonight?",
    "The badge reader at the main entrance is not working.",
    "Please close ticket number three one two.",
    "I can not log in to the finance portal.",
    "There is a water leak in building seven.",
    "The forklift battery needs to be replaced.",
    "Schedule a maintenance visit for next Tuesday.",
    "My monitor keeps flickering.",
    "The wireless network in the warehouse keeps dropping.",
    "I would like to speak to a person please.",
    "Asset tag nine eight seven is missing from the inventory.",
    "The conveyor belt stopped during the morning shift.",
    "Please update the priority of my incident to high.",
    "The elevator in tower two is stuck.",
    "I need access to the shared drive.",
    "The fire alarm panel is showing a fault.",
    "My phone will not receive any calls.",
    "The backup job failed last night.",
    "A pump at the water plant is overheating.",
    "Please send someone to fix the broken window.",
    "The software update froze my computer.",
    "I want to cancel the work order I opened yesterday.",
    "The lights in the parking garage are out.",
    "Is there a known issue with the customer database?",
)
