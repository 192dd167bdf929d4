"""Intent templates as a grammar graph, never as a list of sentences.

A template ("[set] volume [to] {number}") is parsed once into a small tree of words, optional
parts, alternatives and slots. The parser of `voice.intents` matches a transcript against the
trees directly; recognizers get a word automaton (`Graph`) built from the trees, each slot
occurrence an inlined trie of its values (numbers a trie of tens and units). Neither lists the
sentences, so a file allowing 10^8 of them builds as fast as one allowing ten: the size is the
sum of the templates and slot values, not their product.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass

_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "`": "'"})
_WORD = re.compile(r"\w+(?:'\w+)*'?")
# French elision: "l'itinéraire" and a recognizer's "l' itinéraire" are the words l' itinéraire.
_ELISION = re.compile(r"((?:qu|jusqu|lorsqu|puisqu|[cdjlmnst])')(\w.*)")
# Chinese is written without spaces and a recognizer segments it its own way ("播放 音乐",
# "播放音乐"): each Han character is a word, so both read the same.
_HAN = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_HAN_SPLIT = re.compile(rf"[{_HAN}]|[^{_HAN}]+")
_HAN_CHAR = re.compile(rf"[{_HAN}]")


def words(text: str, language: str = "") -> list[str]:
    """The words of `text` as the grammar and the parser see them: lower case (NFC), hyphens
    and punctuation as spaces, apostrophes inside words kept ("i'd", "what's", "don't" are
    dictionary words), French elisions split off ("l'itinéraire", "l itinéraire" -> l'
    itinéraire)."""
    text = unicodedata.normalize("NFC", text).lower().translate(_APOSTROPHES)
    out: list[str] = []
    for word in _WORD.findall(text.replace("_", " ")):
        if language == "fr" and (elided := _ELISION.fullmatch(word)):
            out.extend(elided.groups())
        elif language == "fr" and _ELISION.fullmatch(word + "'x"):
            out.append(word + "'")  # "l itinéraire": the apostrophe lost on the way
        elif word.endswith("'") and language != "fr":
            out.append(word.rstrip("'"))
        elif language == "zh":
            out.extend(_HAN_SPLIT.findall(word))
        else:
            out.append(word)
    return out


def join(tokens: list[str], language: str = "") -> str:
    """Words back into text, as the language writes them: Chinese characters without spaces
    between them ("赫尔辛基", "kaivokatu 1")."""
    if language != "zh":
        return " ".join(tokens)
    text = ""
    for token in tokens:
        apart = text and not (_HAN_CHAR.fullmatch(token) and _HAN_CHAR.fullmatch(text[-1]))
        text += (" " if apart else "") + token
    return text


# --- templates as trees ----------------------------------------------------------------------
@dataclass(frozen=True)
class Word:
    text: str


@dataclass(frozen=True)
class Slot:
    name: str


@dataclass(frozen=True)
class Seq:
    items: tuple[Node, ...]


@dataclass(frozen=True)
class Alt:
    options: tuple[Node, ...]  # an empty Seq among them makes the part optional


Node = Word | Slot | Seq | Alt
EMPTY = Seq(())
_SYNTAX = re.compile(r"\{(\w*)\}|([\[\]()|{}])|([^\[\]()|{}]+)")


class SyntaxProblem(ValueError):
    """A template that is not well formed; the message says where."""


def parse_template(template: str, language: str = "", *, may_be_empty: bool = False) -> Node:
    """The tree of one template: words, [optional|parts], (alternative|parts), {slots}.
    `may_be_empty`: a carrier phrase, which may say nothing."""
    tokens: list[tuple[str, str]] = []
    for slot, mark, text in _SYNTAX.findall(template):
        if mark in ("{", "}"):
            raise SyntaxProblem(f"a slot is written {{name}} with letters, digits or _ "
                                f"(in {template!r})")
        if mark:
            tokens.append(("mark", mark))
        elif text:
            tokens.extend(("word", w) for w in words(text, language))
        else:
            if not slot:
                raise SyntaxProblem(f"empty slot {{}} in {template!r}")
            tokens.append(("slot", slot))
    position = 0

    def sequence(closing: str) -> Node:
        nonlocal position
        options: list[Node] = []
        items: list[Node] = []
        while position < len(tokens):
            kind, value = tokens[position]
            position += 1
            if kind == "word":
                items.append(Word(value))
            elif kind == "slot":
                items.append(Slot(value))
            elif value in "[(":
                inner = sequence("]" if value == "[" else ")")
                if value == "[":
                    inner = Alt((EMPTY, *(inner.options if isinstance(inner, Alt) else (inner,))))
                items.append(inner)
            elif value == "|":
                if not closing:
                    raise SyntaxProblem(f"'|' outside [..] or (..) in {template!r}")
                options.append(Seq(tuple(items)))
                items = []
            elif value == closing:
                options.append(Seq(tuple(items)))
                return Alt(tuple(options)) if len(options) > 1 else options[0]
            else:
                raise SyntaxProblem(f"unexpected {value!r} in {template!r}")
        if closing:
            raise SyntaxProblem(f"{closing!r} missing in {template!r}")
        return Seq(tuple(items))

    tree = sequence("")
    if can_be_empty(tree) and not may_be_empty:
        raise SyntaxProblem(f"template {template!r} allows saying nothing (no words)")
    return tree


def slot_uses(node: Node) -> tuple[Counter[str], Counter[str]]:
    """Per slot, the fewest and the most times one sentence of the template uses it."""
    if isinstance(node, Slot):
        return Counter({node.name: 1}), Counter({node.name: 1})
    if isinstance(node, Word):
        return Counter(), Counter()
    if isinstance(node, Seq):
        low, high = Counter(), Counter()
        for item in node.items:
            a, b = slot_uses(item)
            low, high = low + a, high + b
        return low, high
    uses = [slot_uses(option) for option in node.options]
    names = {n for low, high in uses for n in high}
    return (Counter({n: min(low[n] for low, _ in uses) for n in names}),
            Counter({n: max(high[n] for _, high in uses) for n in names}))


def can_be_empty(node: Node) -> bool:
    if isinstance(node, Word | Slot):
        return False
    if isinstance(node, Seq):
        return all(can_be_empty(c) for c in node.items)
    return any(can_be_empty(c) for c in node.options)


# --- the word automaton ----------------------------------------------------------------------
START, FINAL = 0, 1
Values = Callable[[str], list[list[str]] | None]  # slot name -> its values as words; None: open


class Graph:
    """A word automaton without cycles: `arcs[state]` lists (word, next state), word None for an
    empty step; every path from START to FINAL is one sentence of the grammar."""

    def __init__(self, arcs: list[list[tuple[str | None, int]]],
                 listed: Graph | None = None, core: Graph | None = None) -> None:
        self.arcs = arcs
        # What a phrase-list grammar (Vosk's) lists, when less than the graph: the commands
        # without the free-form slots, which its free-form pass hears instead.
        self.listed = listed
        # The commands in their plainest phrasing (`templates`, no carriers or `also`), when
        # less than the graph: what PocketSphinx's rejection margins are measured against.
        self.core = core
        self._counts: list[int] | None = None

    @classmethod
    def build(cls, trees: Iterable[Node], values: Values) -> Graph:
        """The automaton of the trees; a tree whose slot has no values adds no path."""
        arcs: list[list[tuple[str | None, int]]] = [[], []]
        tries: dict[str, dict] = {}

        def state() -> int:
            arcs.append([])
            return len(arcs) - 1

        def connect(node: Node, src: int, dst: int) -> None:
            if isinstance(node, Word):
                arcs[src].append((node.text, dst))
            elif isinstance(node, Seq):
                if not node.items:
                    arcs[src].append((None, dst))
                for i, item in enumerate(node.items):
                    nxt = dst if i == len(node.items) - 1 else state()
                    connect(item, src, nxt)
                    src = nxt
            elif isinstance(node, Alt):
                for option in node.options:
                    connect(option, src, dst)
            else:
                if node.name not in tries:
                    tries[node.name] = _trie(values(node.name) or [])
                _spell(tries[node.name], src, dst, arcs, state)

        for tree in trees:
            connect(tree, START, FINAL)
        return cls(arcs).trimmed()

    @property
    def counts(self) -> list[int]:
        """Per state, the number of paths from it to FINAL."""
        if self._counts is None:
            counts: list[int | None] = [None] * len(self.arcs)
            counts[FINAL] = 1
            for s in self._postorder():
                if counts[s] is None:
                    counts[s] = sum(counts[t] for _, t in self.arcs[s])
            self._counts = [c or 0 for c in counts]
        return self._counts

    def _postorder(self) -> list[int]:
        """Every state after all the states its arcs lead to (iterative: no recursion limit)."""
        order: list[int] = []
        seen = [False] * len(self.arcs)
        for root in range(len(self.arcs)):
            if seen[root]:
                continue
            seen[root] = True
            stack = [(root, iter(self.arcs[root]))]
            while stack:
                s, it = stack[-1]
                for _, t in it:
                    if not seen[t]:
                        seen[t] = True
                        stack.append((t, iter(self.arcs[t])))
                        break
                else:
                    stack.pop()
                    order.append(s)
        return order

    @property
    def sentences(self) -> int:
        return self.counts[START]

    @property
    def vocabulary(self) -> set[str]:
        return {w for out in self.arcs for w, _ in out if w is not None}

    @property
    def first_words(self) -> set[str]:
        """The words a sentence can begin with."""
        return {w for s in self._closure({START}) for w, _ in self.arcs[s] if w is not None}

    def arc_count(self) -> int:
        return sum(len(out) for out in self.arcs)

    def restricted(self, known: Callable[[str], bool]) -> tuple[Graph, list[str]]:
        """The graph without the paths through words `known` rejects, and those words."""
        unknown = sorted(w for w in self.vocabulary if not known(w))
        if not unknown:
            return self, []
        drop = set(unknown)
        arcs = [[(w, t) for w, t in out if w not in drop] for out in self.arcs]
        return Graph(arcs).trimmed(), unknown

    def trimmed(self) -> Graph:
        """Only the states on some path from START to FINAL, renumbered (START, FINAL first)."""
        counts = Graph(self.arcs).counts
        keep = [START, FINAL]
        index = {START: 0, FINAL: 1}
        todo = [START]
        while todo:
            s = todo.pop()
            for _, t in self.arcs[s]:
                if counts[t] and t not in index:
                    index[t] = len(keep)
                    keep.append(t)
                    todo.append(t)
        arcs = [[(w, index[t]) for w, t in self.arcs[s] if counts[t]] for s in keep]
        return Graph(arcs if counts[START] else [[], []])

    def prefixed(self, prefix: list[str]) -> Graph:
        """The sentences `prefix`, `prefix` + any sentence, and any sentence (a wake grammar)."""
        shift = 3  # new START, FINAL and the state after the prefix
        arcs: list[list[tuple[str | None, int]]] = [[], [], []]
        for out in self.arcs:
            arcs.append([(w, t + shift) for w, t in out])
        old_start, old_final = START + shift, FINAL + shift
        arcs[old_final].append((None, FINAL))
        arcs[START].append((None, old_start))
        src = START
        for i, word in enumerate(prefix):
            dst = 2 if i == len(prefix) - 1 else len(arcs)
            if dst != 2:
                arcs.append([])
            arcs[src].append((word, dst))
            src = dst
        arcs[2] += [(None, FINAL), (None, old_start)]
        out = Graph(arcs).trimmed()
        out.listed = self.listed.prefixed(prefix) if self.listed is not None else None
        out.core = self.core.prefixed(prefix) if self.core is not None else None
        return out

    def minimal(self, max_states: int) -> Graph:
        """The same sentences as the minimal deterministic automaton (each sentence one path,
        shared prefixes and suffixes once), or self when determinizing would pass `max_states`.

        PocketSphinx's search follows the graph's shape: with one path per sentence a word's
        prior comes at once, as in the phrase automaton this graph replaced, and the same audio
        aligns the same way (the parallel paths of the templates made it reject a command the
        phrase automaton accepted)."""
        closures: dict[frozenset[int], int] = {}
        subsets: list[frozenset[int]] = []
        arcs: list[list[tuple[str | None, int]]] = [[], []]  # START, FINAL kept in place

        def number(subset: frozenset[int]) -> int:
            if subset not in closures:
                closures[subset] = 0 if not subsets else len(arcs)
                if subsets:
                    arcs.append([])
                subsets.append(subset)
            return closures[subset]

        number(frozenset(self._closure({START})))
        done = 0
        while done < len(subsets):
            subset = subsets[done]
            here = closures[subset]
            done += 1
            nexts: dict[str, set[int]] = {}
            for s in sorted(subset):
                for w, t in self.arcs[s]:
                    if w is not None:
                        nexts.setdefault(w, set()).add(t)
            for w in sorted(nexts):
                arcs[here].append((w, number(frozenset(self._closure(nexts[w])))))
            if FINAL in subset:
                arcs[here].append((None, FINAL))
            if len(arcs) > max_states:
                return self
        return Graph(arcs)._merged()

    def _merged(self) -> Graph:
        """States with the same continuations merged (minimal for a deterministic graph)."""
        signature: dict[tuple, int] = {}
        merged: list[int] = list(range(len(self.arcs)))
        arcs: list[list[tuple[str | None, int]]] = [[], []]
        for s in self._postorder():
            if s == FINAL:
                continue
            key = tuple(sorted((w or "", merged[t]) for w, t in self.arcs[s]))
            if s == START:
                merged[s] = START
                arcs[START] = [(w, merged[t]) for w, t in self.arcs[s]]
            elif key in signature:
                merged[s] = signature[key]
            else:
                signature[key] = merged[s] = len(arcs)
                arcs.append([(w, merged[t]) for w, t in self.arcs[s]])
        return Graph(arcs)

    def accepts(self, sentence: str | list[str]) -> bool:
        return FINAL in self._after(sentence)

    def begins(self, sentence: str | list[str]) -> bool:
        """The words begin some sentence of the grammar (a partial transcript)."""
        return bool(self._after(sentence))

    def _after(self, sentence: str | list[str]) -> set[int]:
        """The states the words lead to (none: no sentence begins so)."""
        tokens = sentence.split() if isinstance(sentence, str) else sentence
        current = self._closure({START})
        for word in tokens:
            current = self._closure({t for s in current for w, t in self.arcs[s] if w == word})
            if not current:
                break
        return current

    def _closure(self, states: set[int]) -> set[int]:
        todo, out = list(states), set(states)
        while todo:
            for w, t in self.arcs[todo.pop()]:
                if w is None and t not in out:
                    out.add(t)
                    todo.append(t)
        return out

    def phrases(self, limit: int) -> list[str]:
        """Every sentence, when there are at most `limit` (ValueError otherwise)."""
        if self.sentences > limit:
            raise ValueError(f"{self.sentences} sentences, more than {limit}")
        out: list[str] = []
        stack: list[tuple[int, tuple[str, ...]]] = [(START, ())]
        while stack:
            s, said = stack.pop()
            if s == FINAL:
                out.append(" ".join(said))
            for w, t in reversed(self.arcs[s]):
                stack.append((t, said if w is None else (*said, w)))
        return list(dict.fromkeys(out))

    def with_sentences(self, sentences: Iterable[str], language: str = "") -> Graph:
        """This grammar plus literal sentences: a real recording's known transcript, decoded
        against the commands in benches and tests."""
        extra = Graph.build([parse_template(text, language) for text in sentences], {})
        out = self.union(extra)
        out.listed = self.listed.union(extra) if self.listed is not None else None
        out.core = self.core.union(extra) if self.core is not None else None
        return out

    def union(self, other: Graph) -> Graph:
        """The sentences of both graphs (without listing them)."""
        arcs: list[list[tuple[str | None, int]]] = [[], []]
        for graph in (self, other):
            shift = len(arcs)
            arcs[START].append((None, START + shift))
            arcs += [[(w, t + shift) for w, t in out] for out in graph.arcs]
            arcs[FINAL + shift].append((None, FINAL))
        return Graph(arcs).trimmed()

    def fsg(self) -> tuple[int, int, list[tuple[int, int, float, str] | tuple[int, int, float]]]:
        """(start, final, transitions) for PocketSphinx's `Decoder.create_fsg`. Each arc's
        probability is its share of the sentences through its state, so that every sentence
        has the same prior, as in a flat list of them."""
        counts = self.counts
        transitions: list = []
        for s, out in enumerate(self.arcs):
            for w, t in out:
                p = counts[t] / counts[s]
                transitions.append((s, t, p, w) if w is not None else (s, t, p))
        return START, FINAL, transitions


def _trie(values: list[list[str]]) -> dict:
    """The values as a trie of words ("" marks where a value ends)."""
    root: dict = {}
    for value in values:
        node = root
        for word in value:
            node = node.setdefault(word, {})
        node[""] = {}
    return root


def _spell(root: dict, src: int, dst: int, arcs: list, state: Callable[[], int]) -> None:
    """Arcs from src to dst spelling each value of a trie, shared prefixes once ("twenty" ...
    "twenty nine" share "twenty")."""
    todo = [(root, src)]
    while todo:
        node, at = todo.pop()
        for word, child in node.items():
            if not word:
                arcs[at].append((None, dst))
            elif len(child) == 1 and "" in child:
                arcs[at].append((word, dst))
            else:
                nxt = state()
                arcs[at].append((word, nxt))
                todo.append((child, nxt))
