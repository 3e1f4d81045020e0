# cython: language_level=3
"""canonical() of well-formed HTML, read straight from its text: compiled, no tree.

canonical.walk() walks the tree lexbor's HTML5 parser builds; parsing a 9 KB body alone takes
0.1 ms, and the walk's Python per element brings it to 0.6 ms. Both sides of a comparison are
almost always well-formed HTML in a small subset: what cmark-gfm renders and what Intercom
stores. For such HTML the tree is the nesting of its tags as written, so `project` reads the
tags in order and applies walk()'s rules to them as walk() would meet them on its way down and
up: the same output, about 15x sooner.

It returns None for anything where HTML5's tree construction could differ from the nesting as
written (then canonical() takes walk()): a tag outside the subset, an end tag that does not
close the innermost open element, a block inside a paragraph or heading, a link inside a link,
a list item directly inside a list item, anything but rows and cells (and whitespace) in a
table, an element inside inline code, a character reference other than the five XML ones,
&nbsp; and numeric ones, comments, doctypes, CR, NUL and control characters. A None is always
safe; a string is walk()'s string, as tests/test_canonical_fast.py checks over the corpus and
generated HTML.
"""

import re

cimport cython
from cpython.unicode cimport (
    Py_UNICODE_ISSPACE,
    PyUnicode_4BYTE_KIND,
    PyUnicode_DATA,
    PyUnicode_FromKindAndData,
    PyUnicode_KIND,
    PyUnicode_New,
    PyUnicode_READ,
    PyUnicode_WRITE,
)
from libc.stdint cimport uint64_t
from libc.stdlib cimport free, malloc, realloc
from libc.string cimport memmove

cdef Py_UCS4 BOLD = 0xE000  # mark tokens while building, as walk()'s
cdef Py_UCS4 ITALIC = 0xE001

cdef enum:  # what an element is to walk(); several tags share a code
    ROOT = 0
    P
    H1
    H2  # h2-h6: "below h1"
    UL
    OL
    LI
    TABLE
    TR
    CELL  # th, td
    PRE
    DETAILS
    SUMMARY
    BLOCKQUOTE
    CALLOUT  # a div with Intercom's callout class
    DIV  # any other div: a wrapper, its content counts
    BOLD_MARK  # b, strong; every code from here on is inline, but HR and SECTION
    ITALIC_MARK  # i, em
    CODE
    A
    IMG
    BR
    HR
    IFRAME
    INLINE  # span, u, s, sub, sup: their content counts, not them
    SECTION  # thead, tbody, tfoot: the same, inside a table only
    PRE_CODE  # the code element of a pre block: its text is the pre's

cdef tuple _TAGS = (
    ("p", P), ("h1", H1), ("h2", H2), ("h3", H2), ("h4", H2), ("h5", H2), ("h6", H2),
    ("ul", UL), ("ol", OL), ("li", LI), ("table", TABLE), ("tr", TR), ("th", CELL),
    ("td", CELL), ("pre", PRE), ("details", DETAILS), ("summary", SUMMARY),
    ("blockquote", BLOCKQUOTE), ("div", DIV), ("b", BOLD_MARK), ("strong", BOLD_MARK),
    ("i", ITALIC_MARK), ("em", ITALIC_MARK), ("code", CODE), ("a", A), ("img", IMG),
    ("br", BR), ("hr", HR), ("iframe", IFRAME), ("span", INLINE), ("u", INLINE),
    ("s", INLINE), ("sub", INLINE), ("sup", INLINE), ("thead", SECTION),
    ("tbody", SECTION), ("tfoot", SECTION),
)
DEF TAG_COUNT = 37
cdef uint64_t _TAG_KEYS[TAG_COUNT]  # each tag's name, packed (see _pack_char)
cdef int _TAG_CODES[TAG_COUNT]
cdef tuple _LABELS = (
    "root", "p", "h1", "h2", "ul", "ol", "li", "table", "tr", "cell", "pre", "details",
    "summary", "blockquote", "callout",
)  # by code, for the codes that have a line of their own
cdef dict _ENTITIES = {"amp": "&", "lt": "<", "gt": ">", "quot": '"', "apos": "'", "nbsp": "\xa0"}
# Intercom's classes that the projection keeps (canonical.py's walk() reads them from here)
ALIGN = re.compile(r"\bintercom-align-(center|right|justify)\b")
CALLOUT_CLASS = "intercom-interblocks-callout"
BUTTON_CLASS = "intercom-h2b-button"


cdef uint64_t _pack_char(uint64_t key, Py_UCS4 c) noexcept:
    """Add a name's next character to its key: ASCII letters (any case) and digits, 12 at
    most; 0 for any other character."""
    if 65 <= c <= 90:
        return key * 37 + (<uint64_t>c - 64)
    if 97 <= c <= 122:
        return key * 37 + (<uint64_t>c - 96)
    if 48 <= c <= 57:
        return key * 37 + (<uint64_t>c - 21)
    return 0


cdef uint64_t _pack(str name):
    cdef uint64_t key = 0
    cdef Py_UCS4 c
    for c in name:
        key = _pack_char(key, c)
    return key


for _i, (_name, _code) in enumerate(_TAGS):
    _TAG_KEYS[_i] = _pack(_name)
    _TAG_CODES[_i] = _code
cdef uint64_t _CLASS = _pack("class"), _HREF = _pack("href"), _SRC = _pack("src")
cdef uint64_t _ALT = _pack("alt")


class NotWellFormed(Exception):
    """HTML whose tree HTML5 could build otherwise than as written: walk() reads it."""


cdef inline bint _inline(int code) noexcept:
    return code >= BOLD_MARK and code != HR and code != SECTION


cdef inline bint _space(Py_UCS4 c) noexcept:
    """HTML's whitespace (CR is refused before)."""
    return c == 32 or c == 10 or c == 9 or c == 12


cdef inline bint _letter(Py_UCS4 c) noexcept:
    return (65 <= c <= 90) or (97 <= c <= 122)


cdef inline bint _special(Py_UCS4 c) noexcept:
    """What escape() escapes."""
    return c == 92 or c == 42 or c == 95 or c == 96 or c == 91 or c == 93 or c == 60 or c == 33


cdef inline bint _refused(Py_UCS4 c) noexcept:
    """A character whose handling by HTML5 preprocessing we do not follow."""
    if c < 32:
        return c != 10 and c != 9 and c != 12
    if c < 127:
        return False
    if c <= 159:
        return True
    if 0xD800 <= c <= 0xDFFF or 0xFDD0 <= c <= 0xFDEF:
        return True
    return (<uint64_t>c & 0xFFFE) == 0xFFFE


cdef enum:  # what an ASCII character is to characters()
    STOPS = 1  # < and &: maybe a tag or a reference
    ESCAPED = 2  # escape() escapes it
    REFUSED = 4

cdef unsigned char _ASCII[128]
for _c in range(128):
    _ASCII[_c] = (
        (STOPS if chr(_c) in "<&" else 0)
        | (ESCAPED if _special(_c) else 0)
        | (REFUSED if _refused(_c) else 0)
    )


cpdef str escape(str text):
    """Text as the projection shows it: what would read as a mark, a link or a tag escaped."""
    cdef Py_ssize_t i, n = len(text), start = 0
    cdef int kind = PyUnicode_KIND(text)
    cdef void *data = PyUnicode_DATA(text)
    cdef list pieces = None
    for i in range(n):
        if _special(PyUnicode_READ(kind, data, i)):
            if pieces is None:
                pieces = []
            pieces.append(text[start:i])
            pieces.append("\\")
            start = i
    if pieces is None:
        return text
    pieces.append(text[start:])
    return "".join(pieces)


cdef bint _only_image(str text):
    return text.startswith("![") and text.endswith(")") and text.count("![") == 1


cdef struct Open:
    # an open element; those walk() pushes a frame for have `frame` set
    int tag  # index in _TAGS, -1 for the root
    int code
    bint frame
    Py_ssize_t start  # where its inline text starts in the buffer (frames)
    Py_ssize_t depth  # of a block's own line; its children are one deeper
    Py_ssize_t slot  # where a block's own line is in the output
    int top  # the frame that was on top when it was opened


@cython.final
cdef class _Reader:
    """One body: the tokenizer, and walk()'s frames driven by the tags as they come. The
    inline text of the open frames is one buffer, innermost last."""
    cdef str html
    cdef int kind
    cdef void *data
    cdef Py_ssize_t pos, n
    cdef object target, image_name
    cdef Py_UCS4 *buf
    cdef Py_ssize_t size, capacity
    cdef Open *open  # open[0] is the root frame
    cdef int depth, open_capacity
    cdef int top  # the innermost frame
    cdef int leaves_open, links_open, bold_open, italic_open
    cdef list texts  # the output lines, in document order
    cdef list depths  # and their depths
    cdef list suffixes  # of the open links: `](target)` and its button mark
    # the attributes walk() reads, of the tag just read
    cdef object a_class, a_href, a_src, a_alt

    def __cinit__(self, str html, object target, object image_name):
        self.html = html
        self.kind = PyUnicode_KIND(html)
        self.data = PyUnicode_DATA(html)
        self.n = len(html)
        self.pos = 0
        self.target = target
        self.image_name = image_name
        self.capacity = 1024
        self.buf = <Py_UCS4 *>malloc(self.capacity * sizeof(Py_UCS4))
        self.size = 0
        self.open_capacity = 64
        self.open = <Open *>malloc(self.open_capacity * sizeof(Open))
        if self.buf == NULL or self.open == NULL:
            raise MemoryError
        self.open[0] = Open(-1, ROOT, True, 0, -1, -1, 0)
        self.depth = 0
        self.top = 0
        self.leaves_open = self.links_open = self.bold_open = self.italic_open = 0
        self.texts = []
        self.depths = []
        self.suffixes = []

    def __dealloc__(self):
        free(self.buf)
        free(self.open)

    cdef inline Py_UCS4 at(self, Py_ssize_t i) noexcept:
        return PyUnicode_READ(self.kind, self.data, i) if i < self.n else 0

    cdef str read(self):
        cdef Py_UCS4 c, d
        while self.pos < self.n and _space(self.at(self.pos)):
            self.pos += 1  # before <body>, HTML5 drops (or puts in <head>) leading whitespace
        while self.pos < self.n:
            c = self.at(self.pos)
            d = self.at(self.pos + 1)
            if c == 60 and _letter(d):  # <
                self.start_tag()
            elif c == 60 and d == 47:  # </
                self.end_tag()
            elif c == 60 and (d == 33 or d == 63):  # <! <?
                raise NotWellFormed
            else:
                self.text()
        while self.depth:
            self.close()
        self.flush(0)
        return "\n".join(["  " * d + t for d, t in zip(self.depths, self.texts)])

    # --- the buffer

    cdef int reserve(self, Py_ssize_t more) except -1:
        cdef Py_ssize_t capacity = self.capacity
        cdef Py_UCS4 *grown
        if self.size + more <= capacity:
            return 0
        while self.size + more > capacity:
            capacity *= 2
        grown = <Py_UCS4 *>realloc(self.buf, capacity * sizeof(Py_UCS4))
        if grown == NULL:
            raise MemoryError
        self.buf = grown
        self.capacity = capacity
        return 0

    cdef inline int put(self, Py_UCS4 c) except -1:
        if self.size == self.capacity:
            self.reserve(1)
        self.buf[self.size] = c
        self.size += 1
        return 0

    cdef int put_text(self, str text, bint escaped) except -1:
        cdef Py_ssize_t i, n = len(text)
        cdef int kind = PyUnicode_KIND(text)
        cdef void *data = PyUnicode_DATA(text)
        cdef Py_UCS4 c
        self.reserve(2 * n)
        for i in range(n):
            c = PyUnicode_READ(kind, data, i)
            if escaped and _special(c):
                self.buf[self.size] = 92
                self.size += 1
            self.buf[self.size] = c
            self.size += 1
        return 0

    cdef int insert(self, Py_ssize_t at, Py_UCS4 c) except -1:
        if self.size == self.capacity:
            self.reserve(1)
        memmove(self.buf + at + 1, self.buf + at, (self.size - at) * sizeof(Py_UCS4))
        self.buf[at] = c
        self.size += 1
        return 0

    cdef int insert_text(self, Py_ssize_t at, str text) except -1:
        cdef Py_ssize_t i, n = len(text)
        self.reserve(n)
        memmove(self.buf + at + n, self.buf + at, (self.size - at) * sizeof(Py_UCS4))
        for i in range(n):
            self.buf[at + i] = text[i]
        self.size += n
        return 0

    cdef str take(self, Py_ssize_t start, bint folded):
        """The buffer from start as a string, as it is, or folded: whitespace as
        `" ".join(text.split())` and mark tokens as walk()'s _fold. The buffer ends at start
        again."""
        cdef Py_UCS4 *buf = self.buf
        cdef Py_ssize_t i, j, end = self.size, out = start, stars = 0
        cdef Py_UCS4 c, widest = 0
        cdef bint gap = False, tokens = False
        cdef int kind
        cdef void *data
        self.size = start
        if not folded:
            return PyUnicode_FromKindAndData(PyUnicode_4BYTE_KIND, buf + start, end - start)
        for i in range(start, end):
            c = buf[i]
            if (c <= 32 or c >= 128) and Py_UNICODE_ISSPACE(c):
                gap = out > start
                continue
            if gap:
                buf[out] = 32
                out += 1
                gap = False
            if c == BOLD or c == ITALIC:
                tokens = True
            elif c > widest:
                widest = c
            buf[out] = c
            out += 1
        if tokens:  # as walk(): `**` `**` meeting, then `_` `_`, are no mark
            out = self.unpair(start, out, BOLD)
            out = self.unpair(start, out, ITALIC)
            for i in range(start, out):
                stars += buf[i] == BOLD
        text = PyUnicode_New(out - start + stars, widest)
        kind = PyUnicode_KIND(text)
        data = PyUnicode_DATA(text)
        j = 0
        for i in range(start, out):
            c = buf[i]
            if c == BOLD:
                PyUnicode_WRITE(kind, data, j, 42)
                PyUnicode_WRITE(kind, data, j + 1, 42)
                j += 2
            else:
                PyUnicode_WRITE(kind, data, j, 95 if c == ITALIC else c)
                j += 1
        return text

    cdef Py_ssize_t unpair(self, Py_ssize_t start, Py_ssize_t end, Py_UCS4 token) noexcept:
        """Drop each pair of tokens, left to right, as str.replace does; return the new end."""
        cdef Py_UCS4 *buf = self.buf
        cdef Py_ssize_t i = start, out = start
        while i < end:
            if buf[i] == token and i + 1 < end and buf[i + 1] == token:
                i += 2
                continue
            buf[out] = buf[i]
            out += 1
            i += 1
        return out

    # --- tokens

    cdef Py_ssize_t characters(
        self, Py_ssize_t end, bint text, bint escaped, bint counted
    ) except -1:
        """Decode the characters from pos to end (in text, to the next tag) into the buffer,
        escaped or not; return how many of them are not whitespace (if counted)."""
        cdef Py_ssize_t first = self.pos, i = self.pos, seen = 0, semi
        cdef Py_UCS4 c, d
        cdef unsigned char flags  # its _ASCII entry
        while i < end:
            c = PyUnicode_READ(self.kind, self.data, i)
            i += 1
            flags = _ASCII[c] if c < 128 else (REFUSED if _refused(c) else 0)
            if flags & STOPS:
                if c == 60:  # <
                    d = self.at(i)
                    if text and i > first + 1 and (_letter(d) or d == 47 or d == 33 or d == 63):
                        i -= 1
                        break
                else:  # &
                    d = self.at(i)
                    if d == 35 or _letter(d) or (48 <= d <= 57):
                        semi = self.html.find(";", i, min(end, i + 10))
                        if semi < 0:
                            raise NotWellFormed  # HTML5 reads some without `;`, not others
                        c = self.reference(self.html[i:semi])
                        i = semi + 1
                        flags = ESCAPED if _special(c) else 0
            elif flags & REFUSED:
                raise NotWellFormed
            if self.size + 2 > self.capacity:
                self.reserve(2)
            if escaped and flags & ESCAPED:
                self.buf[self.size] = 92
                self.size += 1
            self.buf[self.size] = c
            self.size += 1
            if counted:
                seen += not _space(c)
        self.pos = i
        return seen

    cdef Py_UCS4 reference(self, str name) except 0:
        """The character a reference names (what is between & and ;)."""
        cdef long value
        if name.startswith("#"):
            digits = name[1:]
            hexadecimal = digits[:1] in ("x", "X")
            if hexadecimal:
                digits = digits[1:]
            if not digits or not digits.isascii() or not digits.isalnum():
                raise NotWellFormed
            try:
                value = int(digits, 16 if hexadecimal else 10)
            except ValueError:
                raise NotWellFormed
            if value > 0x10FFFF or value == 0 or _refused(<Py_UCS4>value):
                raise NotWellFormed  # HTML5 replaces these
            return <Py_UCS4>value
        found = _ENTITIES.get(name)
        if found is None:
            raise NotWellFormed
        return (<str>found)[0]

    cdef object value(self, Py_ssize_t start, Py_ssize_t end, bint kept):
        """An attribute's value, references decoded (only checked, unless kept)."""
        cdef Py_ssize_t i, mark = self.size
        cdef Py_UCS4 c
        for i in range(start, end):
            c = PyUnicode_READ(self.kind, self.data, i)
            if c == 38 or _refused(c):  # a reference: decode it all
                self.pos = start
                self.characters(end, False, False, False)
                decoded = self.take(mark, False)  # the buffer is the text's again
                return decoded if kept else None
        return self.html[start:end] if kept else None

    cdef int text(self) except -1:
        cdef int top = self.open[self.depth].code
        cdef int frame = self.open[self.top].code
        cdef bint table = top == TABLE or top == SECTION or top == TR
        if self.characters(self.n, True, frame != PRE and frame != PRE_CODE, table):
            raise NotWellFormed  # HTML5 moves text out of a table
        return 0

    cdef Py_ssize_t tag_name(self, Py_ssize_t i, int *tag) except -1:
        """Read the tag name that starts at i into tag (its index in _TAGS); return where
        it ends. A name not in _TAGS is not well-formed."""
        cdef Py_ssize_t start = i
        cdef uint64_t key = 0
        cdef Py_UCS4 c
        cdef int k
        while i < self.n:
            c = self.at(i)
            if _space(c) or c == 47 or c == 62:
                break
            key = _pack_char(key, c)
            if key == 0 or i - start >= 12:
                raise NotWellFormed
            i += 1
        for k in range(TAG_COUNT):
            if _TAG_KEYS[k] == key:
                tag[0] = k
                return i
        raise NotWellFormed

    cdef int start_tag(self) except -1:
        cdef Py_ssize_t i, start
        cdef Py_UCS4 c, quote
        cdef uint64_t key
        cdef bint closed = False, named
        cdef int tag
        i = self.tag_name(self.pos + 1, &tag)
        self.a_class = self.a_href = self.a_src = self.a_alt = None
        while True:
            if i >= self.n:
                raise NotWellFormed  # the tag never ends: HTML5 drops it
            c = self.at(i)
            if _space(c):
                i += 1
                continue
            if c == 62:  # >
                i += 1
                break
            if c == 47:  # /
                if self.at(i + 1) == 62:
                    closed = True
                    i += 2
                    break
                raise NotWellFormed
            key = 0
            named = True  # so far, a name _pack_char can key
            start = i
            while i < self.n:
                c = self.at(i)
                if _space(c) or c == 47 or c == 62 or c == 61:
                    break
                if c == 34 or c == 39 or c == 60 or _refused(c):
                    raise NotWellFormed
                if named:
                    key = _pack_char(key, c)
                    named = key != 0 and i - start < 12
                i += 1
            if i == start:
                raise NotWellFormed  # `=` where a name starts
            if not named:
                key = 0
            while i < self.n and _space(self.at(i)):
                i += 1
            kept = key == _CLASS or key == _HREF or key == _SRC or key == _ALT
            value = ""
            if self.at(i) == 61:  # =
                i += 1
                while i < self.n and _space(self.at(i)):
                    i += 1
                quote = self.at(i)
                if quote == 34 or quote == 39:
                    start = i + 1
                    i = start
                    while i < self.n and self.at(i) != quote:
                        i += 1
                    if i >= self.n:
                        raise NotWellFormed
                    value = self.value(start, i, kept)
                    i += 1
                    c = self.at(i)
                    if not (_space(c) or c == 47 or c == 62):
                        raise NotWellFormed  # no whitespace before the next attribute
                else:
                    start = i
                    while i < self.n and not (_space(self.at(i)) or self.at(i) == 62):
                        c = self.at(i)
                        if c == 34 or c == 39 or c == 60 or c == 61 or c == 96:
                            raise NotWellFormed
                        i += 1
                    if i == start:
                        raise NotWellFormed  # `=>` or the end: a missing value
                    value = self.value(start, i, kept)
            if kept:
                self.attribute(key, value)
        self.pos = i
        if closed and _TAG_CODES[tag] != IMG and _TAG_CODES[tag] != BR and _TAG_CODES[tag] != HR:
            raise NotWellFormed  # `<p/>` opens a p: not what it reads as
        self.on_start(tag)
        return 0

    cdef int attribute(self, uint64_t key, str value) except -1:
        """Keep the attributes walk() reads; HTML5 keeps the first of two with one name."""
        if key == _CLASS:
            if self.a_class is not None:
                raise NotWellFormed
            self.a_class = value
        elif key == _HREF:
            if self.a_href is not None:
                raise NotWellFormed
            self.a_href = value
        elif key == _SRC:
            if self.a_src is not None:
                raise NotWellFormed
            self.a_src = value
        elif self.a_alt is not None:
            raise NotWellFormed
        else:
            self.a_alt = value
        return 0

    cdef int end_tag(self) except -1:
        cdef int tag
        cdef Py_ssize_t i = self.tag_name(self.pos + 2, &tag)
        if not self.depth or tag != self.open[self.depth].tag:
            raise NotWellFormed  # HTML5 would close (or ignore) other elements
        while i < self.n and _space(self.at(i)):
            i += 1
        if self.at(i) != 62:
            raise NotWellFormed
        self.pos = i + 1
        self.close()
        return 0

    cdef int raw_until(self, int tag, str refused, bint escaped) except -1:
        """Decode the text of an element not walked into the buffer, up to its end tag;
        `refused` in it is not well-formed (its end tag written otherwise, or an element)."""
        closing = f"</{_TAGS[tag][0]}>"
        cdef Py_ssize_t end = self.html.find(closing, self.pos)
        if end < 0 or self.html.find(refused, self.pos, end) >= 0:
            raise NotWellFormed
        self.characters(end, False, escaped, False)
        self.pos = end + len(closing)
        return 0

    # --- walk()'s rules, as it meets each element on its way down and up

    cdef int on_start(self, int tag) except -1:
        cdef int code = _TAG_CODES[tag], top = self.open[self.depth].code, k, below
        cdef int frame = self.open[self.top].code
        cdef Py_ssize_t start
        if top == TABLE or top == SECTION or top == TR:
            # anything else is moved out of the table (or gets a row or section made for it)
            if not (code == CELL if top == TR else code == TR or (top == TABLE and code == SECTION)):
                raise NotWellFormed
        elif code == TR or code == CELL or code == SECTION:
            raise NotWellFormed  # outside its table: HTML5 drops the tag
        if self.leaves_open and not _inline(code):
            raise NotWellFormed  # a block ends the open paragraph or heading first
        if code == A and self.links_open:
            raise NotWellFormed  # a link in a link ends the outer one
        if code == LI:
            for k in range(self.depth, 0, -1):
                below = self.open[k].code
                if below == LI:
                    raise NotWellFormed  # a list item ends the open one
                if below != DIV and below != CALLOUT and below != P and not _inline(below):
                    break  # HTML5 looks no further than a block that is not a div or p
        if code == DIV and CALLOUT_CLASS in (self.a_class or ""):
            code = CALLOUT
        if code < BOLD_MARK or code == HR or code == IFRAME:
            if frame >= BOLD_MARK or frame == PRE:
                raise NotWellFormed  # walk() files a block inside a mark or pre oddly
            if self.size > self.open[self.top].start:
                self.flush(self.top)
        if code < DIV:
            label = _LABELS[code]
            if (code == P or code == H1 or code == H2) and self.a_class:
                align = ALIGN.search(self.a_class) if "intercom-align-" in self.a_class else None
                if align:
                    label = f"{label}[{align.group(1)}]"
            self.push(tag, code, True, self.open[self.top].depth + 1)
            self.open[self.depth].slot = len(self.texts)
            self.texts.append(label)
            self.depths.append(self.open[self.depth].depth)
            if code == PRE and self.pos < self.n:
                if self.at(self.pos) == 10:
                    self.pos += 1  # HTML5 drops the newline right after <pre>
                elif self.at(self.pos) == 38:
                    raise NotWellFormed  # ... even written as a reference
        elif code == DIV:
            self.push(tag, code, True, self.open[self.top].depth)
        elif code == BOLD_MARK or code == ITALIC_MARK:
            self.push(tag, code, True, -1)
        elif code == CODE and frame != PRE and frame != PRE_CODE:
            start = self.size
            self.raw_until(tag, "<", True)
            if self.folds_to_text(start):
                self.insert(start, 96)
                self.put(96)
        elif code == CODE:
            self.push(tag, PRE_CODE, True, -1)
        elif code == A:
            button = "{button}" if BUTTON_CLASS in (self.a_class or "") else ""
            self.suffixes.append(f"]({self.link(self.a_href or '')}){button}")
            self.push(tag, code, True, -1)
        elif code == IMG:
            self.put(33)
            self.put(91)
            self.put_text(" ".join((self.a_alt or "").split()), True)
            self.put(93)
            self.put(40)
            self.put_text(self.image_name(self.a_src or ""), True)
            self.put(41)
        elif code == BR:
            self.put_text("\\<br>", False)
        elif code == HR or code == IFRAME:
            self.texts.append("hr" if code == HR else f"video {self.a_src or ''}")
            self.depths.append(self.open[self.top].depth + 1)
            if code == IFRAME:
                self.raw_until(tag, "</", False)
                self.size = self.open[self.top].start  # not walked
        else:
            self.push(tag, code, False, -1)  # its content counts, not it
        return 0

    cdef bint folds_to_text(self, Py_ssize_t start) except -1:
        """Fold the buffer from start in place, as `" ".join(text.split())`, if any of it is
        not whitespace; say whether it was."""
        cdef Py_ssize_t i, out = start
        cdef bint gap = False
        for i in range(start, self.size):
            if Py_UNICODE_ISSPACE(self.buf[i]):
                gap = out > start
                continue
            if gap:
                self.buf[out] = 32
                out += 1
                gap = False
            self.buf[out] = self.buf[i]
            out += 1
        if out == start:
            return False
        self.size = out
        return True

    cdef str link(self, str href):
        if "%" not in href and "/articles/" not in href:
            # what target() returns for it, without a Python call: most links of a body are
            # unique, and calling target() for them costs 2% of a plan with nothing remembered
            return escape(href.strip())
        return self.target(href)

    cdef int push(self, int tag, int code, bint frame, Py_ssize_t depth) except -1:
        if self.depth + 1 == self.open_capacity:
            grown = <Open *>realloc(self.open, 2 * self.open_capacity * sizeof(Open))
            if grown == NULL:
                raise MemoryError
            self.open = grown
            self.open_capacity *= 2
        self.depth += 1
        self.open[self.depth] = Open(tag, code, frame, self.size, depth, -1, self.top)
        if frame:
            self.top = self.depth
        if code == P or code == H1 or code == H2:
            self.leaves_open += 1
        elif code == A:
            self.links_open += 1
        elif code == BOLD_MARK:
            self.bold_open += 1
        elif code == ITALIC_MARK:
            self.italic_open += 1
        return 0

    cdef int close(self) except -1:
        cdef Open element = self.open[self.depth]
        self.depth -= 1
        self.top = element.top
        if element.code == P or element.code == H1 or element.code == H2:
            self.leaves_open -= 1
        elif element.code == A:
            self.links_open -= 1
        elif element.code == BOLD_MARK:
            self.bold_open -= 1
        elif element.code == ITALIC_MARK:
            self.italic_open -= 1
        if element.frame:
            self.exit(element)
        return 0

    cdef int exit(self, Open frame) except -1:
        """walk()'s _exit for a frame just closed."""
        cdef Py_ssize_t lead, trail, depth = frame.depth, slot = frame.slot
        cdef int code = frame.code
        cdef list texts = self.texts, depths = self.depths
        if code == BOLD_MARK or code == ITALIC_MARK or code == A:
            lead = frame.start
            while lead < self.size and Py_UNICODE_ISSPACE(self.buf[lead]):
                lead += 1
            trail = self.size
            while trail > lead and Py_UNICODE_ISSPACE(self.buf[trail - 1]):
                trail -= 1
            if code == A:
                suffix = self.suffixes.pop()
                if lead == self.size:  # no text: `[` and the target after the whitespace
                    self.put(91)
                    self.put_text(suffix, False)
                else:
                    self.insert_text(trail, suffix)
                    self.insert(lead, 91)
            elif lead < self.size and not (self.bold_open if code == BOLD_MARK else self.italic_open):
                # bold inside bold is bold
                self.insert(trail, BOLD if code == BOLD_MARK else ITALIC)
                self.insert(lead, BOLD if code == BOLD_MARK else ITALIC)
            return 0
        if code == PRE_CODE:
            return 0  # its text is the pre block's
        if code == DIV:
            self.flush_frame(frame)
        elif code == PRE:
            text = self.take(frame.start, False)
            text = text[:-1] if text.endswith("\n") else text
            for line in text.split("\n"):
                texts.append(f"| {line}")
                depths.append(depth + 1)
        elif code == P or code == H1 or code == H2:
            text = self.take(frame.start, True)
            label = texts[slot]
            # an image alone in a paragraph, aligned or not, is an image block
            if code == P and _only_image(text):
                texts[slot] = f"img {text}"
            elif text or label != "p":
                texts[slot] = f"{label} {text}".rstrip()
            else:
                del texts[slot]  # an empty paragraph
                del depths[slot]
        else:
            self.flush_frame(frame)
            label = texts[slot]
            if code == TR and self.cells_only(slot, depth + 1):
                cells = " | ".join([(<str>t)[5:] for t in texts[slot + 1 :]])
                del texts[slot + 1 :], depths[slot + 1 :]
                texts[slot] = f"tr | {cells} |"
            elif len(texts) - slot - 1 == 1 and (<str>texts[-1]).startswith("p "):
                texts[slot] = f"{label} {(<str>texts.pop())[2:]}"
                depths.pop()
        return 0

    cdef bint cells_only(self, Py_ssize_t slot, Py_ssize_t depth):
        """Whether the lines after slot are all cells at depth."""
        cdef Py_ssize_t i
        for i in range(slot + 1, len(self.texts)):
            if <Py_ssize_t>self.depths[i] != depth:
                return False
            text = <str>self.texts[i]
            if not (text == "cell" or text.startswith("cell ")):
                return False
        return True

    cdef int flush(self, int index) except -1:
        return self.flush_frame(self.open[index])

    cdef int flush_frame(self, Open frame) except -1:
        """Inline content directly in a container is one implicit paragraph."""
        if frame.code == PRE or frame.code == PRE_CODE or self.size == frame.start:
            return 0
        text = self.take(frame.start, True)
        if _only_image(text):
            self.texts.append(f"img {text}")
            self.depths.append(frame.depth + 1)
        elif text:
            self.texts.append(f"p {text}")
            self.depths.append(frame.depth + 1)
        return 0


def project(str html, target, image_name):
    """canonical.walk(html), or None where the HTML is not well-formed in the subset this
    reads (see the module's docstring). `target` and `image_name` are canonical's."""
    if "\r" in html or "\0" in html:
        return None  # HTML5 rewrites CR and drops NUL before it tokenizes
    try:
        return _Reader(html, target, image_name).read()
    except NotWellFormed:
        return None
