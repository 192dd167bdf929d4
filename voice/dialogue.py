"""The dialogue: turns a transcript into bus commands and a spoken reply. It keeps the little
state a conversation needs: an action waiting for "yes" (a command that asks to be confirmed,
or a doubtful one: "did you mean ...?"), and the last reply for "repeat that"."""

from __future__ import annotations

from dataclasses import dataclass

from kernel import topics
from kernel.event_bus import EventBus
from kernel.units import Units
from voice.intents import IntentSet, Match

VOLUME_STEP = 10
DEFAULT_VOLUME = 50
MEDIA_ACTIONS = frozenset({"play", "pause", "next", "previous"})
# Intents that change nothing: a doubtful one is not worth a question, it is not understood.
QUESTIONS = frozenset({"eta", "battery", "range", "repeat", "yes", "no"})
# Replies a user's template file may lack, in English.
FALLBACK_REPLIES = {
    "heard_unknown": "I heard something but not a command I know.",
    "did_you_mean": "Did you mean \"{value}\"? Say yes or no.",
}


@dataclass(frozen=True)
class Outcome:
    """What one utterance led to: the intent (None when not understood) and the reply."""

    intent: Match | None
    reply: str
    acted: bool


class Dialogue:
    """One per language. `favourites` maps a favourite's spoken name to its "lat,lon"."""

    def __init__(self, bus: EventBus, intents: IntentSet,
                 favourites: dict[str, str] | None = None) -> None:
        self._bus = bus
        self.intents = intents
        self._favourites = {k.lower(): v for k, v in (favourites or {}).items()}
        self._pending: Match | None = None
        self._pending_guess = False  # the pending action is a guess: voice.intent not sent yet
        self._last_reply = ""

    @property
    def language(self) -> str:
        return self.intents.language

    def handle(self, text: str) -> Outcome:
        """Parse `text`, act on it through the bus, publish voice.intent and tts.say."""
        match = self.intents.parse(text)
        if match is None:
            return self.reject(text)
        self._bus.publish(topics.VOICE_INTENT, topics.Intent(
            match.intent, tuple(sorted(match.slots.items())), match.transcript, self.language))
        if match.intent in ("yes", "no"):
            return self._answer(match)
        self._pending, self._pending_guess = None, False
        if match.intent == "repeat":
            return self._say(match, self._last_reply or self.intents.reply("nothing_to_repeat"),
                             remember=False)
        refusal = self._out_of_range(match)
        if refusal:
            return self._say(match, refusal)
        if match.intent in self.intents.confirm:
            self._pending = match
            return self._say(match, self.intents.reply(f"{match.intent}_confirm"))
        return self._act(match)

    def suggest(self, guess: str) -> Outcome:
        """A command the recognizer found, though not surely: for one that changes something,
        ask "did you mean ...?" ("yes" acts, "no" cancels); anything else is not understood."""
        match = self.intents.parse(guess)
        if match is None:  # words written unsurely (Whisper) that are no command
            return self.reject(guess, speech=True)
        if match.intent in QUESTIONS or self._out_of_range(match):
            return self.reject("", speech=True)
        self._pending, self._pending_guess = match, True
        return self._say(None, self._reply("did_you_mean", value=match.transcript))

    def reject(self, heard: str, *, speech: bool = True) -> Outcome:
        """Speech that was not one of the commands exactly: a helpful reply, no action.
        `speech` False: nothing was heard at all (no speech in the audio)."""
        self._pending, self._pending_guess = None, False
        if heard.strip():
            return self._say(None, self.intents.reply("not_understood", value=heard.strip()))
        if speech:
            return self._say(None, self._reply("heard_unknown"))
        return self._say(None, self.intents.reply("nothing_heard"))

    def _reply(self, key: str, **values: object) -> str:
        if key in self.intents.replies:
            return self.intents.reply(key, **values)
        return FALLBACK_REPLIES[key].format(**values)

    def _answer(self, match: Match) -> Outcome:
        pending, guessed = self._pending, self._pending_guess
        self._pending, self._pending_guess = None, False
        if pending is None:
            guess = self._guessed_destination()
            if guess is not None:
                return self._say(match, self._answer_guess(guess, match.intent == "yes"),
                                 acted=True)
            return self._say(match, self.intents.reply("nothing_to_confirm"))
        if match.intent == "no":
            return self._say(match, self.intents.reply("cancelled"))
        if guessed:  # the driver confirmed the guess: now it is the command
            self._bus.publish(topics.VOICE_INTENT, topics.Intent(
                pending.intent, tuple(sorted(pending.slots.items())), pending.transcript,
                self.language))
        return self._act(pending)

    def _out_of_range(self, match: Match) -> str:
        for slot, (low, high) in self.intents.ranges.get(match.intent, {}).items():
            value = int(match.slots[slot])
            if not low <= value <= high:
                return self.intents.reply("out_of_range", slot=slot.capitalize(), low=low,
                                          high=high, value=value)
        return ""

    def _act(self, match: Match) -> Outcome:
        if match.intent in MEDIA_ACTIONS:
            reply = self._do_media(match)
        else:
            # An intent from a user's template file with no built-in action: voice.intent (already
            # published) is the command; whoever handles it listens there.
            reply = getattr(self, f"_do_{match.intent}", self._reply_only)(match)
        return self._say(match, reply, acted=True)

    def _reply_only(self, match: Match) -> str:
        return self.intents.reply(match.intent, **match.slots)

    def _say(self, match: Match | None, reply: str, *, acted: bool = False,
             remember: bool = True) -> Outcome:
        if remember:
            self._last_reply = reply
        self._bus.publish(topics.TTS_SAY, topics.Say(reply, self.language, "reply"))
        return Outcome(match, reply, acted)

    # --- a guessed destination: navigation asked "did you mean …?"; yes/no answers it ---
    def _guessed_destination(self) -> topics.DestinationCandidates | None:
        guess = self._bus.retained(topics.NAV_DESTINATION_CANDIDATES)
        return guess if guess is not None and guess.candidates else None

    def _answer_guess(self, guess: topics.DestinationCandidates, yes: bool) -> str:
        self._bus.publish(topics.NAV_DESTINATION_CONFIRM,
                          topics.DestinationChoice(guess.query, 0 if yes else -1))
        if yes:
            return self.intents.reply("navigate", place=guess.candidates[0].name)
        return self.intents.reply("cancelled")

    # --- actions: one per intent name ---------------------------------------------------------
    def _do_navigate(self, match: Match) -> str:
        place = match.slots["place"]
        self._bus.publish(topics.NAV_ROUTE_REQUEST,
                          topics.RouteRequest(self._favourites.get(place, place)))
        return self.intents.reply("navigate", place=place)

    def _do_nearest(self, match: Match) -> str:
        category = match.slots["category"]
        self._bus.publish(topics.NAV_ROUTE_REQUEST, topics.RouteRequest(f"nearest {category}"))
        spoken = next(k for k, v in self.intents.slots["category"].items() if v == category)
        return self.intents.reply("nearest", category=spoken)

    def _do_cancel_route(self, _match: Match) -> str:
        # An empty destination asks navigation to drop the active route.
        self._bus.publish(topics.NAV_ROUTE_REQUEST, topics.RouteRequest(""))
        return self.intents.reply("cancel_route")

    def _do_eta(self, _match: Match) -> str:
        route = self._bus.retained(topics.NAV_ROUTE)
        if route is None or not route.points:
            return self.intents.reply("no_route")
        distance = Units.on(self._bus).length(route.distance_m, 1, self.language, spoken=True)
        return self.intents.reply("eta", distance=distance,
                                  minutes=max(1, round(route.duration_s / 60)))

    def _do_battery(self, _match: Match) -> str:
        soc = self._bus.retained(topics.SOC)
        if soc is None or soc.stale:
            return self.intents.reply("unknown_signal")
        return self.intents.reply("battery", value=round(soc.value))

    def _do_range(self, _match: Match) -> str:
        range_m = self._bus.retained(topics.RANGE)
        if range_m is None or range_m.stale:
            return self.intents.reply("unknown_signal")
        return self.intents.reply("range", distance=Units.on(self._bus).length(
            range_m.value, 0, self.language, spoken=True))

    def _do_media(self, match: Match) -> str:
        self._bus.publish(topics.MEDIA_COMMAND, topics.MediaCommand(match.intent))
        return self.intents.reply(match.intent)

    def _do_play_query(self, match: Match) -> str:
        query = match.slots.get("title") or match.slots.get("artist", "")
        self._bus.publish(topics.MEDIA_COMMAND, topics.MediaCommand("play_query", query))
        return self.intents.reply("play_query", value=query)

    def _set_volume(self, level: int, key: str) -> str:
        level = max(0, min(100, level))
        self._bus.publish(topics.MEDIA_COMMAND, topics.MediaCommand("volume", str(level)))
        return self.intents.reply(key, value=level)

    def _current_volume(self) -> int:
        volume = self._bus.retained(topics.MEDIA_VOLUME)
        return DEFAULT_VOLUME if volume is None else int(volume.value)

    def _do_volume_up(self, _match: Match) -> str:
        return self._set_volume(self._current_volume() + VOLUME_STEP, "volume_up")

    def _do_volume_down(self, _match: Match) -> str:
        return self._set_volume(self._current_volume() - VOLUME_STEP, "volume_down")

    def _do_volume_set(self, match: Match) -> str:
        return self._set_volume(int(match.slots["number"]), "volume_set")

    def _do_day_night(self, match: Match) -> str:
        mode = match.slots.get("mode") or ("NIGHT" if match.slots.get("onoff") == "on" else "DAY")
        self._bus.publish(topics.DAY_NIGHT_MODE, topics.VssString(mode))
        spoken = next(k for k, v in self.intents.slots["mode"].items() if v == mode)
        return self.intents.reply("day_night", value=spoken.capitalize())
