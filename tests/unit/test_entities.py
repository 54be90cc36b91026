"""Spoken-answer parsing: numbers, codes, sites, dates, yes/no, e-mails, DTMF."""

from __future__ import annotations

from datetime import datetime

import pytest

from agent.brain import entities as e

NOW = datetime(2026, 11, 23, 14, 39)  # a Monday afternoon


@pytest.mark.parametrize("said, expected", [
    ("four five one two", [4512]),
    ("twelve", [12]),
    ("one hundred and four", [104]),
    ("one hundred four", [104]),
    ("a hundred", [100]),
    ("forty five twelve", [4512]),
    ("forty-five", [45]),
    ("one oh two three four", [10234]),
    ("ten double oh two", [10002]),
    ("double oh seven", [7]),
    ("double four seven", [447]),
    ("triple nine", [999]),
    ("two thousand and five", [2005]),
    ("three hundred twenty one", [321]),
    ("twenty twenty six", [2026]),
    ("site 14", [14]),
    ("4 5 1 2", [4512]),
    ("site twelve and priority three", [12, 3]),
    ("nothing numeric here", []),
    ("oh, I see", []),
])
def test_numbers_said_as_words_or_digits(said: str, expected: list[int]) -> None:
    assert e.numbers(said) == expected


@pytest.mark.parametrize("said, code", [
    ("A one two three", "A123"),
    ("a one two three", "A123"),
    ("it's A one two three", "A123"),
    ("P dash forty five twelve", "P-4512"),
    ("P hyphen four five one two", "P-4512"),
    ("papa four five one two", "P4512"),
    ("G dash oh three two oh", "G-0320"),
    ("It says G, dash, three oh two oh.", "G-3020"),  # the dash read out with a pause either side
    ("A123", "A123"),
    ("asset C-2101 please", "C-2101"),
    ("it is a one too three", "A123"),  # recogniser homophone
    ("pee four five one two", "P4512"),
    ("um it's uh A1 23", "A123"),
    ("w.o. 10001", "WO10001"),
    ("E10-482", "E10482"),  # Whisper groups digits said one by one
    ("E1-0-4-8-2", "E10482"),
    ("E10 482", "E10482"),
    # Read back in groups, as the line reads ids out: "one oh four, eight two" is one number.
    ("locked out. E one oh four, eight two.", "E10482"),
    ("W O, one zero zero, one three", "WO10013"),
    # Letters by the NATO alphabet with a pause after them.
    ("status. whiskey oscar, one zero, zero zero three.", "WO10003"),
    # A pause after the "and" of a number said whole.
    ("it's job... W O, twenty thousand and... four.", "WO20004"),
    # Letters read off an email one by one, a pause after each.
    ("work order W, O, one, zero, zero, zero, two. When is the technician coming?", "WO10002"),
])
def test_codes_spelled_or_written(said: str, code: str) -> None:
    assert code in e.codes(said)


def test_a_records_own_letters_are_never_read_as_a_shorter_code() -> None:
    # "w o ..." is a work order's number; "O10007" would fit an asset tag's shape and hide the real tag after it.
    found = e.codes("i want to add a note to w o one double oh oh seven the seal on pump a one two three is dripping")
    assert "A123" in found and not any(c.startswith("O") for c in found), found
    assert "A123" in e.codes("s A one two three")  # a stray letter before a tag still gives the tag


@pytest.mark.parametrize("said, pattern, expected", [
    ("W O one oh two three four", "^[Ww][Oo]-[0-9]{5}$", "WO-10234"),
    ("WO-10234", "^[Ww][Oo]-[0-9]{5}$", "WO-10234"),
    ("wo 10234", "^[Ww][Oo]-[0-9]{5}$", "WO-10234"),
    ("I N C two zero zero zero one", "^[Ii][Nn][Cc]-[0-9]{5}$", "INC-20001"),
    ("S R three zero zero zero two", "^[Ss][Rr]-[0-9]{5}$", "SR-30002"),
])
def test_ticket_ids_said_aloud_match_the_schema_pattern(said: str, pattern: str, expected: str) -> None:
    prefixes = e.pattern_prefixes(pattern)
    matches = [m for m in (e.match_code(c, pattern) for c in e.codes(said, prefixes)) if m]
    assert matches and matches[0] == expected


@pytest.mark.parametrize("said, bare", [
    ("E10-482", True), ("E one zero four eight two.", True), ("papa dash four five", True), ("10001", True),
    ("asset A123", False), ("I need to reset my password", False), ("", False), ("what is E10", False),
])
def test_only_codes_tells_a_bare_identifier_from_a_request(said: str, bare: bool) -> None:
    assert e.only_codes(said) is bare


def test_a_code_that_breaks_the_pattern_is_not_matched() -> None:
    assert e.match_code("WO1023", "^[Ww][Oo]-[0-9]{5}$") is None


@pytest.mark.parametrize("pattern, prefixes", [
    (r"^[Ww][Oo]-[0-9]{5}$", ["WO"]),
    (r"^(?:[Ee][0-9]{5}|[^@\s]{1,64}@[^@\s]{1,190})$", ["E"]),
    (r"^(INC|SR)\d+$", ["INC", "SR"]),
    (r"^[A-Za-z]-?[0-9]{3,5}$", []),
    (None, []),
])
def test_pattern_prefixes(pattern: str | None, prefixes: list[str]) -> None:
    assert e.pattern_prefixes(pattern) == prefixes


NAMES = {"Riverside Pumping Station": 12, "North Ridge Substation": 14, "Westfield Depot": 42}


@pytest.mark.parametrize("said, site", [
    ("site fourteen", 14),
    ("site fourteen, no wait, site twelve", 12),
    ("it's at site 12", 12),
    ("the Riverside pumping station", 12),
    ("over at north ridge", 14),
    ("westfield", 42),
    ("somewhere else", None),
    ("the pump A123", None),
])
def test_sites_by_number_or_name(said: str, site: int | None) -> None:
    assert e.site(said, NAMES) == site


@pytest.mark.parametrize("said, site", [
    ("any open jobs at the depot", 42),
    ("I'm heading to the substation tomorrow", 14),
    ("the depot pump is fine", None),  # a short name counts only where a place is said
    ("the old one works now", None),
])
def test_a_site_by_its_short_name_where_a_place_is_said(said: str, site: int | None) -> None:
    assert e.site(said, {**NAMES, "the depot": 42, "the substation": 14, "the works": 3}) == site


@pytest.mark.parametrize("said, expected", [
    ("tomorrow morning", datetime(2026, 11, 24, 9, 0)),
    ("tomorrow afternoon", datetime(2026, 11, 24, 14, 0)),
    ("next Tuesday afternoon", datetime(2026, 11, 24, 14, 0)),
    ("Tuesday next week", datetime(2026, 12, 1, 9, 0)),
    ("on friday at nine am", datetime(2026, 11, 27, 9, 0)),
    ("at 3 pm", datetime(2026, 11, 23, 15, 0)),
    ("at three thirty", datetime(2026, 11, 23, 15, 30)),
    ("today at 4:30 pm", datetime(2026, 11, 23, 16, 30)),
    ("at 10", datetime(2026, 11, 24, 10, 0)),  # already past today -> tomorrow
    ("in two hours", datetime(2026, 11, 23, 16, 39)),
    ("the day after tomorrow", datetime(2026, 11, 25, 9, 0)),
    # The day after, with no day of its own, is the day after the one just named.
    ("they can't do tomorrow, so the day after", datetime(2026, 11, 25, 9, 0)),
    ("friday, or the next day if not", datetime(2026, 11, 28, 9, 0)),
    ("the day after wednesday, in the afternoon", datetime(2026, 11, 26, 14, 0)),
    ("next day delivery please", None),
    ("whenever suits", None),
])
def test_dates_and_times_relative_to_now(said: str, expected: datetime | None) -> None:
    assert e.when(said, NOW) == expected


@pytest.mark.parametrize("now", [datetime(2026, 12, 7, 15), datetime(2026, 12, 9, 15), datetime(2026, 12, 12, 15),
                                 datetime(2026, 12, 13, 15)])
@pytest.mark.parametrize("said, day", [("Monday next week", 14), ("next week on Wednesday", 16), ("Friday next week", 18)])
def test_a_weekday_next_week_is_that_day_of_the_calendar_week_after_this_one(now: datetime, said: str, day: int) -> None:
    # (Said on a Monday, "Monday next week" is seven days on, not fourteen; said on a Sunday, it is tomorrow.)
    assert e.when(said, now).date() == datetime(2026, 12, day).date()


@pytest.mark.parametrize("said, yes, rest", [
    ("yes", True, ""),
    ("Yeah, that's right", True, "that's right"),
    ("yep", True, ""),
    ("correct", True, ""),
    ("go ahead", True, ""),
    ("no", False, ""),
    ("nope", False, ""),
    ("no, site fourteen", False, "site fourteen"),
    ("No it's site 14", False, "site 14"),
    ("actually make it urgent", False, "urgent"),
    ("um, no, A one two four", False, "a one two four"),
    ("site fourteen", None, "site fourteen"),
    # A verdict on the read-back: "that is correct" is a yes, "that's wrong" a no, "it's A302" neither.
    ("That is correct, thank you.", True, "thank you."),
    ("that would be fine", True, ""),
    ("that's wrong, site 14", False, "site 14"),
    ("it's A302", None, "it's a302"),
    ("that's all", None, "that's all"),
    # Nothing to be done, however it starts; handed over is a yes all the same.
    ("Okay, leave that one as it is for now.", False, "as it is for now."),
    ("right, just leave it", False, ""),
    ("leave it with you", None, "leave it with you"),
])
def test_yes_no_and_corrections(said: str, yes: bool | None, rest: str) -> None:
    answer = e.yes_no(said)
    assert (answer.yes, answer.rest) == (yes, rest)


@pytest.mark.parametrize("said, address", [
    ("maria.lopez@northwind.example", "maria.lopez@northwind.example"),
    ("it's Maria.Lopez@Northwind.Example", "maria.lopez@northwind.example"),
    ("maria dot lopez at northwind dot example", "maria.lopez@northwind.example"),
    ("my email is j underscore smith at contoso dot com", "j_smith@contoso.com"),
    ("no address here", None),
    # Pauses come through as commas.
    ("it's maria dot lopez, at northwind dot example", "maria.lopez@northwind.example"),
    ("maria, dot, lopez at northwind, dot example", "maria.lopez@northwind.example"),
    ("I'm at the depot, at riverside, by the gate", None),
    # Spelled letter by letter: a spelling that restates the words keeps them, one that differs corrects them.
    ("it's ana dot kim, A N A dot K I M, at northwind dot example", "ana.kim@northwind.example"),
    ("raj dot mehta, that's M E H T A all one word, at northwind dot example", "raj.mehta@northwind.example"),
    ("lena dot smith, that's S M Y T H, at northwind dot example", "lena.smyth@northwind.example"),
    ("B R O W N at northwind dot example", "brown@northwind.example"),
    ("I'm at the yard, it's lee dot k at northwind dot example", "lee.k@northwind.example"),
    ("dee hyphen ray at northwind dot example", "dee-ray@northwind.example"),
    ("it's ben dot carter at north wind dot example", "ben.carter@northwind.example"),  # a label heard as two words
])
def test_email_written_or_spoken(said: str, address: str | None) -> None:
    assert e.email(said) == address


@pytest.mark.parametrize("said, login", [
    ("my user id is jsmith", "jsmith"),
    ("j s m i t h", "jsmith"),
    ("maria dot lopez at northwind dot example", "maria.lopez"),
    ("I don't know", None),
])
def test_user_ids(said: str, login: str | None) -> None:
    assert e.user_id(said) == login


def test_dtmf_digits() -> None:
    assert e.dtmf_digits("4512#") == "4512"
    assert e.dtmf_digits("*12") == "12"


def test_ticket_read_back_digit_by_digit() -> None:
    assert e.spell_out("WO-10234") == "W O, one zero two, three four"
    assert e.spell_out("WO-10013") == "W O, one zero zero, one three"
    assert e.spell_out("E1048") == "E, one zero, four eight"
    assert e.spell_out("INC-2000173") == "I N C, two zero zero, zero one, seven three"
    assert e.spell_out("A123") == "A, one two three"


def test_a_megabyte_of_text_parses_quickly_to_nothing() -> None:
    text = "x" * (1024 * 1024)
    assert e.email(text) is None
    assert e.codes(text) == []
    assert e.numbers("1" * 100_000) == []  # not a number anyone says; no ValueError either


@pytest.mark.parametrize(
    "text, prefixes, expected",
    [
        ("check the status of work order 10001", ["WO"], "WO10001"),
        ("work order number one zero zero zero two", ["WO"], "WO10002"),
        ("what happened to incident two zero zero one seven", ["INC"], "INC20017"),
        ("cancel service request number 30002", ["SR"], "SR30002"),
    ],
)
def test_a_ticket_named_by_its_kind_reads_as_its_code(text, prefixes, expected):
    assert e.codes(text, prefixes)[0] == expected


def test_kind_names_only_count_for_the_prefixes_a_field_expects():
    assert e.codes("work order 10001", ["INC"]) == []


@pytest.mark.parametrize(
    "text, expected",
    [("The pump, asset a 1-2-3, at site 12, is leaking.", "A123"), ("p dash 4-5-1-2", "P-4512"),
     ("my id is E 1-0-4-8-2", "E10482")],
)
def test_digits_a_recogniser_wrote_one_by_one_with_dashes_are_one_number(text, expected):
    assert e.codes(text)[0] == expected


def test_a_range_of_two_multi_digit_numbers_is_not_joined():
    assert e.numbers("between 10-15 minutes") == [10, 15]


CATALOGUE = {"Eastgate Compressor Station": 21, "Westfield Depot": 42, "Lakeside Water Treatment Plant": 55,
             "Harbor Road Treatment Works": 3, "Northwind Operations Centre": 101}


@pytest.mark.parametrize("said, site", [
    ("the workshop air compressor C-4202 at Westfield", 42),  # "compressor" describes, "Westfield" names
    ("the air compressor is leaking", None),
    ("down at the water treatment plant by the lake", 55),
    ("in the operations centre", 101),
    ("eastgate", 21),
    ("the treatment is not working", None),
])
def test_a_site_name_needs_its_own_name_word_or_two_of_its_words(said: str, site: int | None) -> None:
    assert e.site(said, CATALOGUE) == site


def test_a_site_is_named_by_its_own_first_word_alone() -> None:
    assert e.site("the backwash valve at Lakeside is slow to close", CATALOGUE) == 55
    assert e.site("the harbor road works", {"Harbor Road Treatment Works": 3}) == 3


@pytest.mark.parametrize("said, expected", [
    ("can they come on the 10th", datetime(2026, 12, 10, 9, 0)),
    ("the tenth please", datetime(2026, 12, 10, 9, 0)),
    ("the twenty-first of December", datetime(2026, 12, 21, 9, 0)),
    ("December 3rd in the afternoon", datetime(2026, 12, 3, 14, 0)),
    ("on the 1st", datetime(2027, 1, 1, 9, 0)),  # the 1st of this month has passed
    ("the fifth of january", datetime(2027, 1, 5, 9, 0)),
    ("on the third of next month, morning", datetime(2027, 1, 3, 9, 0)),
    ("the 20th of next month", datetime(2027, 1, 20, 9, 0)),
    ("next month, on the 3rd", datetime(2027, 1, 3, 9, 0)),
    ("the twentieth of this month", datetime(2026, 12, 20, 9, 0)),
    ("3rd January", datetime(2027, 1, 3, 9, 0)),
    # A clause mark ends the date: the word after it is no noun the ordinal describes.
    ("the part's in by the fourteenth, so can someone come that day, first thing", datetime(2026, 12, 14, 8, 0)),
    ("the twelfth. would that work", datetime(2026, 12, 12, 9, 0)),
])
def test_a_day_of_the_month(said: str, expected: datetime) -> None:
    assert e.when(said, datetime(2026, 12, 2, 8, 0)) == expected and e.names_day(said)


@pytest.mark.parametrize("said", ["the second one", "it stopped for a second", "the first time it happened"])
def test_an_ordinal_that_is_no_date(said: str) -> None:
    assert not e.names_day(said)


@pytest.mark.parametrize(("said", "code", "digits"), [
    ("the number on it is g, three, zero, two, zero", "G3020", ["3020"]),
    ("G, 3, 0, 2, 0", "G3020", ["3020"]),
    ("e, one, oh, four, eight, two", "E10482", ["10482"]),
    ("it's one, zero, zero, one, three", None, ["10013"]),
])
def test_an_id_read_out_digit_by_digit_with_pauses_is_one_number(said: str, code: str | None, digits: list[str]) -> None:
    assert [r.digits for r in e.number_runs(said)] == digits
    assert e.codes(said) == ([code] if code else [])


@pytest.mark.parametrize(("said", "digits"), [
    ("pump 4, 5 and 6 are down", ["4", "5", "6"]),  # a short list stays a list
    ("site twelve, three pumps", ["12", "3"]),
    ("one, two", ["1", "2"]),
])
def test_a_short_list_of_numbers_is_not_joined(said: str, digits: list[str]) -> None:
    assert [r.digits for r in e.number_runs(said)] == digits


def test_an_id_said_in_groups_with_pauses_is_joined_while_too_short_to_be_one() -> None:
    assert e.codes("my id is E, ten, six twenty")[0] == "E10620"
    assert e.codes("pump A one two three, two of them are down") == ["A123"]  # complete: the next number is not part


@pytest.mark.parametrize("said, weekday", [
    ("friday's better for us", 4),
    ("friday's no good any more, can we move it to next tuesday morning", 1),  # the last day said
    ("tuesday, or thursday if that's easier", 3),
    # A day said as one that will not do is not the one meant, wherever it is said.
    ("to monday morning please, the site is shut on friday", 0),
    ("can we do wednesday instead of thursday", 2),
    ("we can't do tuesday so thursday", 3),
    ("monday doesn't work, friday afternoon", 4),
    ("thursday, we're closed on monday", 3),
])
def test_the_day_meant_is_the_last_one_said_possessive_or_not(said, weekday):
    assert e.names_day(said) and e.when(said, NOW).weekday() == weekday


@pytest.mark.parametrize("said, hour", [
    ("after lunch thursday would suit", 13), ("first thing tomorrow", 8), ("at 3 pm", 15),
    ("end of the day", 16), ("friday morning", 9), ("the pump is leaking", None),
    # a time gone by tells when something began, not when anyone should come
    ("it's been squealing since the afternoon", None), ("dripping all evening", None),
    ("it stopped yesterday afternoon", None), ("since monday, so tomorrow morning please", 9),
])
def test_a_time_of_day_said_as_what_people_do_then(said, hour):
    assert e.hour_said(said)[0] == hour


@pytest.mark.parametrize("said, digits", [
    ("INC two double-oh oh three", "20003"), ("S R three double-oh oh two", "30002"), ("E one oh triple-seven", "10777"),
])
def test_a_digit_said_twice_with_a_hyphen_is_two_digits(said, digits):
    assert [r.digits for r in e.number_runs(said)] == [digits]


@pytest.mark.parametrize("said, ending", [
    ("I only remember the number ends in six.", "6"), ("It's the one ending in oh two.", "02"),
    ("the pump ends up tripping", None), ("it ends with a bang", None),
])
def test_the_end_of_an_id_remembered_in_part(said, ending):
    assert e.id_ending(said) == ending


@pytest.mark.parametrize("said, first", [
    ("S R, three double-oh, oh two.", "SR30002"),  # a pause before a group that starts with a zero
    ("A123, 45 minutes ago", "A123"),  # a quantity after a pause is no part of the id
])
def test_digit_groups_said_with_a_pause(said, first):
    assert e.codes(said)[0] == first


def test_a_kind_of_record_named_before_its_number_with_is_or_was():
    assert "SR30003" in e.codes("the request was thirty thousand and three", ["SR"])
    assert "WO10001" in e.codes("the job is one zero zero zero one", ["WO"])


@pytest.mark.parametrize(("said", "now", "day"), [
    ("end of the week, after lunch", datetime(2026, 12, 3, 10), (4, 13)),  # Thursday -> Friday
    ("by the end of the week", datetime(2026, 12, 4, 10), (4, 9)),  # said on the Friday: that day
    ("end of the week", datetime(2026, 12, 5, 10), (11, 9)),  # at the weekend: the coming Friday
    ("end of next week", datetime(2026, 12, 3, 10), (11, 9)),
    ("early next week, morning", datetime(2026, 12, 3, 10), (7, 9)),
    ("the start of next week", datetime(2026, 12, 6, 10), (7, 9)),  # Sunday: tomorrow is next week's start
    ("friday, end of the week", datetime(2026, 12, 1, 10), (4, 9)),  # a day named wins
])
def test_a_part_of_a_week_is_a_day(said: str, now: datetime, day: tuple[int, int]) -> None:
    when = e.when(said, now)
    assert when is not None and (when.day, when.hour) == day


def test_double_before_a_written_digit_is_read_and_never_hangs() -> None:
    # A recogniser writes "double 4"; "double 45" once sent the parser round the same word for ever.
    import threading

    out: dict[str, list[str]] = {}
    worker = threading.Thread(target=lambda: out.update(
        runs=[r.digits for r in e.number_runs("double 4, then double 45 and triple 0 7")]), daemon=True)
    worker.start()
    worker.join(5)
    assert not worker.is_alive() and out["runs"] == ["44", "45", "0007"]


@pytest.mark.parametrize("said", ["yep thats all correct", "thats right", "all good", "its fine"])
def test_a_yes_in_a_recognisers_words_is_a_yes(said):
    assert e.yes_no(said).yes is True


@pytest.mark.parametrize("said", ["That'll be the one, there's only the one up there.", "that would be it",
                                  "must be that one", "sounds about right", "it'll have to be the one"])
def test_the_one_offered_owned_as_a_guess_is_a_yes(said):
    assert e.yes_no(said).yes is True


@pytest.mark.parametrize("said", ["it must be broken", "that will be the day", "sounds awful"])
def test_guesses_about_something_else_are_no_yes(said):
    assert e.yes_no(said).yes is None


def test_two_sites_named_by_name_leave_the_site_to_the_asset():
    names = {"Riverside Pumping Station": 12, "North Ridge Substation": 14}
    assert e.site("supervisor for Riverside and North Ridge. Intake pump two at Riverside, A one two four", names) is None
    assert e.site("the intake pump at Riverside is dripping", names) == 12
    # One of them said whole is the one meant.
    assert e.site("I'm at North Ridge Substation, the Riverside lads sent me", names) == 14


def test_a_word_before_a_comma_is_no_prefix_of_the_number_after_it() -> None:
    # Letters read one by one with pauses are one code; a word (a system's name) and then a number are two things.
    assert e.codes("g, three, zero, two, zero") == ["G3020"]
    assert e.codes("my access request for the GIS, thirty thousand and three") == []


def test_a_small_number_counting_something_after_an_id_is_not_part_of_it() -> None:
    assert [r.digits for r in e.number_runs("incident two zero zero zero three two days ago")] == ["20003", "2"]
    assert [r.digits for r in e.number_runs("it failed three times")] == ["3"]


@pytest.mark.parametrize("said, digits", [
    ("and the other one one zero zero zero six", ["10006"]),  # the pronoun, then the number
    ("the first one two zero zero zero one", ["20001"]),
    ("its the one one two three four", ["11234"]),  # "the one" may be the number's own first digit
])
def test_one_as_a_pronoun_before_a_number_is_no_digit_of_it(said: str, digits: list[str]) -> None:
    assert [r.digits for r in e.number_runs(said)] == digits



@pytest.mark.parametrize("said, digits", [
    ("work order one-zero-zero-zero-five please", "10005"),  # digit words written with hyphens: one digit each
    ("it's two-oh-oh-oh-two, the incident", "20002"),
    ("WO ten-oh-oh-one", "10001"),  # "ten", then a digit each
])
def test_digit_words_joined_by_hyphens_are_one_number(said: str, digits: str) -> None:
    assert [r.digits for r in e.number_runs(said)] == [digits]
    assert e.tokens("twenty-one") == ["twenty", "-", "one"]  # a number's own hyphen stays


@pytest.mark.parametrize("said, expected", [
    # After a scale's "and" a number goes on: a word that sounds like a digit there is that digit.
    ("work order ten thousand and for the air con", ["10004"]),
    ("incident twenty thousand and too", ["20002"]),
    ("ten thousand and... to", ["10002"]),
    ("ten thousand for the pump", ["10000"]),  # no "and": the number has ended
])
def test_a_digit_heard_as_a_word_after_and_finishes_the_number(said: str, expected: list[str]) -> None:
    assert [r.digits for r in e.number_runs(said)] == expected


@pytest.mark.parametrize("said, meant", [
    ("status of work order one zero zero one two sorry no one zero zero one four please",
     "status of work order one zero zero one four please"),
    ("The pump P-4530 at site 30 has a fault light. Sorry, not the pump, the valve A3001.",
     "The pump at site 30 has a fault light. Sorry, not the pump, the valve A3001."),
    ("it's SR-30002, I mean SR-30003", "it's SR-30003"),
    # a bare "sorry" or "no" between two identifiers written alike; a dash before it is no words of the caller's
    ("please bump WO-10020 up, sorry, WO-10002 I meant", "please bump WO-10002 up I meant"),
    ("I want INC-20031 looked at \u2014 sorry, INC-20013, the printer", "I want INC-20013 looked at, the printer"),
    ("chase INC-20031 \u2014 no, sorry, INC-20013 for me", "chase INC-20013 for me"),
    ("asset A3001, no, P-4530 is the pump", "asset A3001, no, P-4530 is the pump"),  # another kind: two things
    ("ticket 20031, sorry, 20013", "ticket 20031, sorry, 20013"),  # (bare numbers: the slots take them back)
    # a repair with no identifier after it puts nothing right
    ("The pump P-4512 is leaking, I mean really leaking.", "The pump P-4512 is leaking, I mean really leaking."),
    ("site forty, no sorry, fourteen", "site forty, no sorry, fourteen"),  # (short numbers: the slots take them back)
    # put right in part: the slots' own taking back puts the number together
    ("work order one zero zero zero one, no sorry, not zero one, zero six", "work order one zero zero zero one, no sorry, "
     "not zero one, zero six"),
])
def test_an_identifier_put_right_in_the_same_breath_is_not_heard(said: str, meant: str) -> None:
    assert e.repaired(said) == meant


def test_a_ticket_prefix_said_as_a_word_is_the_prefix() -> None:
    # ("in c": the letters I N C said as a word, as a recogniser writes them)
    assert "INC20001" in e.codes("is anyone looking at my vpn ticket in c two zero zero zero one", ["INC"])
    assert not any(c.startswith("INC") for c in e.codes("it's in c block by the stores", ["INC"]))


@pytest.mark.parametrize("said, number", [("the pump at westfield depot site for two the hose has split", 42),
                                          ("site to one compressor", 21), ("going to site twelve", 12),
                                          ("site fourteen, no wait, site twelve", 12)])
def test_a_digits_homophone_after_the_word_site_is_that_digit(said: str, number: int) -> None:
    assert e.site(said, {"Westfield Depot": 42}) == number


@pytest.mark.parametrize("said, expected", [
    # A day told of as gone by is no day asked for: the one asked for is.
    ("the actuator came in on Friday, so can we get someone out the day after tomorrow", datetime(2026, 12, 9, 9, 0)),
    ("it tripped again on Monday, can someone come Thursday", datetime(2026, 12, 10, 9, 0)),
    ("it failed last Friday, can someone come out", None),
    ("the visit was booked for Friday, can we move it to Monday", datetime(2026, 12, 14, 9, 0)),
    # Weeks counted in any number word.
    ("about ten weeks from now", datetime(2027, 2, 15, 9, 0)),
    ("four weeks from today", datetime(2027, 1, 4, 9, 0)),
])
def test_a_day_told_as_gone_by_is_not_asked_for_and_weeks_count_in_words(said, expected):
    assert e.when(said, datetime(2026, 12, 7, 10, 0)) == expected


@pytest.mark.parametrize("said, gone", [
    ("the generator didn't start on its test again this", True),  # ... morning: when it happened
    ("the breaker tripped twice this", True),
    ("it was fine earlier this", True),
    ("it stopped again so can someone come this", False),  # the next thought asks for a time
    ("could you send someone this", False),
])
def test_a_time_of_today_told_of_what_happened_is_gone_by(said, gone):
    assert e.gone_by(said.split()) is gone


def test_a_site_by_its_street_or_town_said_whole() -> None:
    from agent.brain.domain import _address_names
    names = {**NAMES, **_address_names({"12 River Street, Kingsbridge": 12, "5 Lakeshore Drive, Marlow": 55,
                                        "42 Westfield Avenue, Kingsbridge": 42})}
    assert e.site("I'm in the control room at the River Street pumping station", names) == 12
    assert e.site("on site at the water plant in Marlow", names) == 55
    assert e.site("the river is up and over the bank", names) is None  # part of a street's name is no place
    assert e.site("I'm at the Kingsbridge site", names) is None  # a town two sites share names neither


@pytest.mark.parametrize("said, digits", [
    ("my id is e one oh for five one", ["10451"]),  # "for" between digits said one by one is four
    ("ticket one oh oh to three", ["10023"]),
    ("five to nine tomorrow", ["5", "9"]),  # a time: no digit said alone before it
    ("site one for two days", ["1", "2"]),
])
def test_a_digit_homophone_between_digits_read_one_by_one_is_that_digit(said: str, digits: list[str]) -> None:
    assert [r.digits for r in e.number_runs(said)] == digits
