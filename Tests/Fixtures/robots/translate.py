#!/usr/bin/env python3
"""Translate Google's robots.txt test suite into google-robots-tests.json.

Source: https://github.com/google/robotstxt/blob/master/robots_test.cc
Copyright 2019 Google LLC, Apache-2.0 (see LICENSE-robotstxt next to this file).
Translated into data by the Dragnet authors.

The cases below were written by hand from robots_test.cc (one entry per EXPECT_*),
in the order they appear there. C++ adjacent string literals are written here as
one Python string per literal, concatenated with `+` or implicit concatenation.
GoogleOnly_LineTooLong's long lines are built the same way the C++ builds them.

Usage:
    python3 translate.py [path/to/robots_test.cc]

Writes google-robots-tests.json next to this script. If robots_test.cc is found
(argument, or ../../../../shared/corpus/robotstxt/robots_test.cc relative to
/work/main), the script also re-extracts every IsUserAgentAllowed /
IsValidUserAgentToObey / TestPath / TestEscape call from the C++ mechanically
(a small C++ string-literal tokenizer) and checks that it agrees with the
hand translation, and that the EXPECT_ count adds up.
"""

import base64
import json
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "google-robots-tests.json")

cases = []        # IsUserAgentAllowed expectations (valid UTF-8 robots bodies)
bytes_cases = []  # parse-callback expectations whose robots body is not valid UTF-8
line_cases = []   # parse-callback (line number) expectations
agent_validity = []
path_cases = []
escape_cases = []


def case(test, robots, agent, url, allowed, comment=None):
    entry = {
        "test": test,
        "googleOnly": test.startswith("GoogleOnly_"),
        "robots": robots,
        "agent": agent,
        "url": url,
        "allowed": allowed,
    }
    if comment:
        entry["comment"] = comment
    cases.append(entry)


# ---------------------------------------------------------------- GoogleOnly_SystemTest
T = "GoogleOnly_SystemTest"
r = ("user-agent: FooBot\n"
     "disallow: /\n")
case(T, "", "FooBot", "", True, "Empty robots.txt: everything allowed.")
case(T, r, "", "", True, "Empty user-agent to be matched: everything allowed.")
case(T, r, "FooBot", "", False,
     "Empty url: implicitly disallowed, see method comment for GetPathParamsQuery in robots.cc.")
case(T, "", "", "", True, "All params empty: same as robots.txt empty, everything allowed.")

# ---------------------------------------------------------------- ID_LineSyntax_Line
T = "ID_LineSyntax_Line"
correct = ("user-agent: FooBot\n"
           "disallow: /\n")
incorrect = ("foo: FooBot\n"
             "bar: /\n")
incorrect_accepted = ("user-agent FooBot\n"
                      "disallow /\n")
url = "http://foo.bar/x/y"
case(T, correct, "FooBot", url, False)
case(T, incorrect, "FooBot", url, True)
case(T, incorrect_accepted, "FooBot", url, False,
     "Google specific: webmasters sometimes miss the colon separator, but it's obvious "
     "what they mean by \"disallow /\", so we assume the colon if it's missing.")

# ---------------------------------------------------------------- ID_LineSyntax_Groups
T = "ID_LineSyntax_Groups"
r = ("allow: /foo/bar/\n"
     "\n"
     "user-agent: FooBot\n"
     "disallow: /\n"
     "allow: /x/\n"
     "user-agent: BarBot\n"
     "disallow: /\n"
     "allow: /y/\n"
     "\n"
     "\n"
     "allow: /w/\n"
     "user-agent: BazBot\n"
     "\n"
     "user-agent: FooBot\n"
     "allow: /z/\n"
     "disallow: /\n")
url_w = "http://foo.bar/w/a"
url_x = "http://foo.bar/x/b"
url_y = "http://foo.bar/y/c"
url_z = "http://foo.bar/z/d"
url_foo = "http://foo.bar/foo/bar/"
case(T, r, "FooBot", url_x, True)
case(T, r, "FooBot", url_z, True)
case(T, r, "FooBot", url_y, False)
case(T, r, "BarBot", url_y, True)
case(T, r, "BarBot", url_w, True)
case(T, r, "BarBot", url_z, False)
case(T, r, "BazBot", url_z, True)
c = "Lines with rules outside groups are ignored."
case(T, r, "FooBot", url_foo, False, c)
case(T, r, "BarBot", url_foo, False, c)
case(T, r, "BazBot", url_foo, False, c)

# ---------------------------------------------------------------- ID_LineSyntax_Groups_OtherRules
T = "ID_LineSyntax_Groups_OtherRules"
c = "Group must not be closed by rules not explicitly defined in the REP RFC."
r = ("User-agent: BarBot\n"
     "Sitemap: https://foo.bar/sitemap\n"
     "User-agent: *\n"
     "Disallow: /\n")
case(T, r, "FooBot", "http://foo.bar/", False, c)
case(T, r, "BarBot", "http://foo.bar/", False, c)
r = ("User-agent: FooBot\n"
     "Invalid-Unknown-Line: unknown\n"
     "User-agent: *\n"
     "Disallow: /\n")
case(T, r, "FooBot", "http://foo.bar/", False, c)
case(T, r, "BarBot", "http://foo.bar/", False, c)

# ---------------------------------------------------------------- ID_REPLineNamesCaseInsensitive
T = "ID_REPLineNamesCaseInsensitive"
upper = ("USER-AGENT: FooBot\n"
         "ALLOW: /x/\n"
         "DISALLOW: /\n")
lower = ("user-agent: FooBot\n"
         "allow: /x/\n"
         "disallow: /\n")
camel = ("uSeR-aGeNt: FooBot\n"
         "AlLoW: /x/\n"
         "dIsAlLoW: /\n")
ok = "http://foo.bar/x/y"
no = "http://foo.bar/a/b"
case(T, upper, "FooBot", ok, True)
case(T, lower, "FooBot", ok, True)
case(T, camel, "FooBot", ok, True)
case(T, upper, "FooBot", no, False)
case(T, lower, "FooBot", no, False)
case(T, camel, "FooBot", no, False)

# ---------------------------------------------------------------- ID_VerifyValidUserAgentsToObey
T = "ID_VerifyValidUserAgentsToObey"


def agent(test, a, valid, comment=None):
    entry = {"test": test, "agent": a, "valid": valid}
    if comment:
        entry["comment"] = comment
    agent_validity.append(entry)


agent(T, "Foobot", True)
agent(T, "Foobot-Bar", True)
agent(T, "Foo_Bar", True)
agent(T, "", False, "C++ passes absl::string_view() (a null view); same as the empty string here.")
agent(T, "", False)
agent(T, "ツ", False)
agent(T, "Foobot*", False)
agent(T, " Foobot ", False)
agent(T, "Foobot/2.1", False)
agent(T, "Foobot Bar", False)

# ---------------------------------------------------------------- ID_UserAgentValueCaseInsensitive
T = "ID_UserAgentValueCaseInsensitive"
upper = ("User-Agent: FOO BAR\n"
         "Allow: /x/\n"
         "Disallow: /\n")
lower = ("User-Agent: foo bar\n"
         "Allow: /x/\n"
         "Disallow: /\n")
camel = ("User-Agent: FoO bAr\n"
         "Allow: /x/\n"
         "Disallow: /\n")
ok = "http://foo.bar/x/y"
no = "http://foo.bar/a/b"
for a in ("Foo", "foo"):
    case(T, upper, a, ok, True)
    case(T, lower, a, ok, True)
    case(T, camel, a, ok, True)
    case(T, upper, a, no, False)
    case(T, lower, a, no, False)
    case(T, camel, a, no, False)

# ---------------------------------------------------------------- GoogleOnly_AcceptUserAgentUpToFirstSpace
T = "GoogleOnly_AcceptUserAgentUpToFirstSpace"
agent(T, "Foobot Bar", False)
r = ("User-Agent: *\n"
     "Disallow: /\n"
     "User-Agent: Foo Bar\n"
     "Allow: /x/\n"
     "Disallow: /\n")
c = ("Google specific: accept user-agent value up to the first space "
     "(\"Foo Bar\" in robots.txt is obeyed as \"Foo\").")
case(T, r, "Foo", "http://foo.bar/x/y", True, c)
case(T, r, "Foo Bar", "http://foo.bar/x/y", False,
     c + " The agent \"Foo Bar\" is compared whole with \"Foo\", so it matches no "
     "specific group and gets the * group.")

# ---------------------------------------------------------------- ID_GlobalGroups_Secondary
T = "ID_GlobalGroups_Secondary"
empty = ""
glob = ("user-agent: *\n"
        "allow: /\n"
        "user-agent: FooBot\n"
        "disallow: /\n")
only_specific = ("user-agent: FooBot\n"
                 "allow: /\n"
                 "user-agent: BarBot\n"
                 "disallow: /\n"
                 "user-agent: BazBot\n"
                 "disallow: /\n")
url = "http://foo.bar/x/y"
case(T, empty, "FooBot", url, True)
case(T, glob, "FooBot", url, False)
case(T, glob, "BarBot", url, True)
case(T, only_specific, "QuxBot", url, True,
     "If no group matches the user-agent and there is no * group, no rules apply.")

# ---------------------------------------------------------------- ID_AllowDisallow_Value_CaseSensitive
T = "ID_AllowDisallow_Value_CaseSensitive"
lower = ("user-agent: FooBot\n"
         "disallow: /x/\n")
upper = ("user-agent: FooBot\n"
         "disallow: /X/\n")
url = "http://foo.bar/x/y"
case(T, lower, "FooBot", url, False)
case(T, upper, "FooBot", url, True, "Matching rules against URIs is case sensitive.")

# ---------------------------------------------------------------- ID_LongestMatch
T = "ID_LongestMatch"
url = "http://foo.bar/x/page.html"
r = ("user-agent: FooBot\n"
     "disallow: /x/page.html\n"
     "allow: /x/\n")
case(T, r, "FooBot", url, False)
r = ("user-agent: FooBot\n"
     "allow: /x/page.html\n"
     "disallow: /x/\n")
case(T, r, "FooBot", url, True)
case(T, r, "FooBot", "http://foo.bar/x/", False)
eq = ("In case of equivalent disallow and allow patterns for the same user-agent, "
      "allow is used.")
r = ("user-agent: FooBot\n"
     "disallow: \n"
     "allow: \n")
case(T, r, "FooBot", url, True, eq)
r = ("user-agent: FooBot\n"
     "disallow: /\n"
     "allow: /\n")
case(T, r, "FooBot", url, True, eq)
r = ("user-agent: FooBot\n"
     "disallow: /x\n"
     "allow: /x/\n")
case(T, r, "FooBot", "http://foo.bar/x", False)
case(T, r, "FooBot", "http://foo.bar/x/", True)
r = ("user-agent: FooBot\n"
     "disallow: /x/page.html\n"
     "allow: /x/page.html\n")
case(T, r, "FooBot", url, True, eq)
r = ("user-agent: FooBot\n"
     "allow: /page\n"
     "disallow: /*.html\n")
case(T, r, "FooBot", "http://foo.bar/page.html", False, "Longest match wins.")
case(T, r, "FooBot", "http://foo.bar/page", True, "Longest match wins.")
r = ("user-agent: FooBot\n"
     "allow: /x/page.\n"
     "disallow: /*.html\n")
case(T, r, "FooBot", url, True, "Longest match wins.")
case(T, r, "FooBot", "http://foo.bar/x/y.html", False, "Longest match wins.")
r = ("User-agent: *\n"
     "Disallow: /x/\n"
     "User-agent: FooBot\n"
     "Disallow: /y/\n")
c = "Most specific group for FooBot allows implicitly /x/page."
case(T, r, "FooBot", "http://foo.bar/x/page", True, c)
case(T, r, "FooBot", "http://foo.bar/y/page", False, c)

# ---------------------------------------------------------------- ID_Encoding
T = "ID_Encoding"
r = ("User-agent: FooBot\n"
     "Disallow: /\n"
     "Allow: /foo/bar?qux=taz&baz=http://foo.bar?tar&par\n")
case(T, r, "FooBot", "http://foo.bar/foo/bar?qux=taz&baz=http://foo.bar?tar&par", True,
     "/foo/bar?baz=http://foo.bar stays unencoded.")
r = ("User-agent: FooBot\n"
     "Disallow: /\n"
     "Allow: /foo/bar/ツ\n")
c = "3 byte character: /foo/bar/ツ -> /foo/bar/%E3%83%84"
case(T, r, "FooBot", "http://foo.bar/foo/bar/%E3%83%84", True, c)
case(T, r, "FooBot", "http://foo.bar/foo/bar/ツ", False,
     c + ". The parser encodes the 3-byte character, but the URL is not %-encoded.")
r = ("User-agent: FooBot\n"
     "Disallow: /\n"
     "Allow: /foo/bar/%E3%83%84\n")
c = "Percent encoded 3 byte character: /foo/bar/%E3%83%84 -> /foo/bar/%E3%83%84"
case(T, r, "FooBot", "http://foo.bar/foo/bar/%E3%83%84", True, c)
case(T, r, "FooBot", "http://foo.bar/foo/bar/ツ", False, c)
r = ("User-agent: FooBot\n"
     "Disallow: /\n"
     "Allow: /foo/bar/%62%61%7A\n")
c = ("Percent encoded unreserved US-ASCII: /foo/bar/%62%61%7A -> NULL. This is illegal "
     "according to RFC3986 and while it may work here due to simple string matching, "
     "it should not be relied on.")
case(T, r, "FooBot", "http://foo.bar/foo/bar/baz", False, c)
case(T, r, "FooBot", "http://foo.bar/foo/bar/%62%61%7A", True, c)

# ---------------------------------------------------------------- ID_SpecialCharacters
T = "ID_SpecialCharacters"
r = ("User-agent: FooBot\n"
     "Disallow: /foo/bar/quz\n"
     "Allow: /foo/*/qux\n")
case(T, r, "FooBot", "http://foo.bar/foo/bar/quz", False)
case(T, r, "FooBot", "http://foo.bar/foo/quz", True)
case(T, r, "FooBot", "http://foo.bar/foo//quz", True)
case(T, r, "FooBot", "http://foo.bar/foo/bax/quz", True)
r = ("User-agent: FooBot\n"
     "Disallow: /foo/bar$\n"
     "Allow: /foo/bar/qux\n")
case(T, r, "FooBot", "http://foo.bar/foo/bar", False)
case(T, r, "FooBot", "http://foo.bar/foo/bar/qux", True)
case(T, r, "FooBot", "http://foo.bar/foo/bar/", True)
case(T, r, "FooBot", "http://foo.bar/foo/bar/baz", True)
r = ("User-agent: FooBot\n"
     "# Disallow: /\n"
     "Disallow: /foo/quz#qux\n"
     "Allow: /\n")
case(T, r, "FooBot", "http://foo.bar/foo/bar", True)
case(T, r, "FooBot", "http://foo.bar/foo/quz", False)

# ---------------------------------------------------------------- GoogleOnly_IndexHTMLisDirectory
T = "GoogleOnly_IndexHTMLisDirectory"
r = ("User-Agent: *\n"
     "Allow: /allowed-slash/index.html\n"
     "Disallow: /\n")
case(T, r, "foobot", "http://foo.com/allowed-slash/", True,
     "Google-specific: \"index.html\" (and only that) at the end of a pattern is equivalent "
     "to \"/\". If index.html is allowed, we interpret this as / being allowed too.")
case(T, r, "foobot", "http://foo.com/allowed-slash/index.htm", False, "Does not exactly match.")
case(T, r, "foobot", "http://foo.com/allowed-slash/index.html", True, "Exact match.")
case(T, r, "foobot", "http://foo.com/anyother-url", False)

# ---------------------------------------------------------------- GoogleOnly_LineTooLong
T = "GoogleOnly_LineTooLong"
kEOLLen = len("\n")
kMaxLineLen = 2083 * 8
allow = "allow: "
disallow = "disallow: "
long_comment = ("Google-specific: long lines are ignored after 8 * 2083 bytes "
                "(the parser keeps only the first 16663 bytes of a line). ")

robots = "user-agent: FooBot\n"
longline = "/x/"
max_length = kMaxLineLen - len(longline) - len(disallow) + kEOLLen
while len(longline) < max_length:
    longline += "a"
robots += disallow + longline + "/qux\n"
c = long_comment + ("robots is \"user-agent: FooBot\\n\" + \"disallow: /x/\" + 'a' * %d + "
                    "\"/qux\\n\"." % (len(longline) - 3))
case(T, robots, "FooBot", "http://foo.bar/fux", True, c + " Matches nothing, so URL is allowed.")
case(T, robots, "FooBot", "http://foo.bar" + longline + "/fux", False,
     c + " Matches cut off disallow rule.")

robots = ("user-agent: FooBot\n"
          "disallow: /\n")
longline_a = "/x/"
longline_b = "/x/"
max_length = kMaxLineLen - len(longline_a) - len(allow) + kEOLLen
while len(longline_a) < max_length:
    longline_a += "a"
    longline_b += "b"
robots += allow + longline_a + "/qux\n"
robots += allow + longline_b + "/qux\n"
c = long_comment + ("robots is \"user-agent: FooBot\\ndisallow: /\\n\" + \"allow: /x/\" + "
                    "'a' * %d + \"/qux\\n\" + \"allow: /x/\" + 'b' * %d + \"/qux\\n\"."
                    % (len(longline_a) - 3, len(longline_b) - 3))
case(T, robots, "FooBot", "http://foo.bar/", False, c + " URL matches the disallow rule.")
case(T, robots, "FooBot", "http://foo.bar" + longline_a + "/qux", True,
     c + " Matches the allow rule exactly.")
case(T, robots, "FooBot", "http://foo.bar" + longline_b + "/fux", True,
     c + " Matches cut off allow rule.")

# ---------------------------------------------------------------- GoogleOnly_DocumentationChecks
T = "GoogleOnly_DocumentationChecks"
DOC = ("Test documentation from https://developers.google.com/search/reference/robots_txt, "
       "section \"URL matching based on path values\". ")


def doc_block(pattern, expectations, note):
    robots = ("user-agent: FooBot\n"
              "disallow: /\n"
              "allow: " + pattern + "\n")
    for path, allowed in expectations:
        case(T, robots, "FooBot", "http://foo.bar" + path, allowed, DOC + note)


doc_block("/fish", [
    ("/bar", False),
    ("/fish", True),
    ("/fish.html", True),
    ("/fish/salmon.html", True),
    ("/fishheads", True),
    ("/fishheads/yummy.html", True),
    ("/fish.html?id=anything", True),
    ("/Fish.asp", False),
    ("/catfish", False),
    ("/?id=fish", False),
], "Pattern \"/fish\".")
doc_block("/fish*", [
    ("/bar", False),
    ("/fish", True),
    ("/fish.html", True),
    ("/fish/salmon.html", True),
    ("/fishheads", True),
    ("/fishheads/yummy.html", True),
    ("/fish.html?id=anything", True),
    ("/Fish.bar", False),
    ("/catfish", False),
    ("/?id=fish", False),
], "\"/fish*\" equals \"/fish\".")
doc_block("/fish/", [
    ("/bar", False),
    ("/fish/", True),
    ("/fish/salmon", True),
    ("/fish/?salmon", True),
    ("/fish/salmon.html", True),
    ("/fish/?id=anything", True),
    ("/fish", False),
    ("/fish.html", False),
    ("/Fish/Salmon.html", False),
], "\"/fish/\" does not equal \"/fish\".")
doc_block("/*.php", [
    ("/bar", False),
    ("/filename.php", True),
    ("/folder/filename.php", True),
    ("/folder/filename.php?parameters", True),
    ("//folder/any.php.file.html", True),
    ("/filename.php/", True),
    ("/index?f=filename.php/", True),
    ("/php/", False),
    ("/index?php", False),
    ("/windows.PHP", False),
], "Pattern \"/*.php\".")
doc_block("/*.php$", [
    ("/bar", False),
    ("/filename.php", True),
    ("/folder/filename.php", True),
    ("/filename.php?parameters", False),
    ("/filename.php/", False),
    ("/filename.php5", False),
    ("/php/", False),
    ("/filename?php", False),
    ("/aaaphpaaa", False),
    ("//windows.PHP", False),
], "Pattern \"/*.php$\".")
doc_block("/fish*.php", [
    ("/bar", False),
    ("/fish.php", True),
    ("/fishheads/catfish.php?parameters", True),
    ("/Fish.PHP", False),
], "Pattern \"/fish*.php\".")

PREC = "Section \"Order of precedence for group-member records\"."
r = ("user-agent: FooBot\n"
     "allow: /p\n"
     "disallow: /\n")
case(T, r, "FooBot", "http://example.com/page", True, PREC)
r = ("user-agent: FooBot\n"
     "allow: /folder\n"
     "disallow: /folder\n")
case(T, r, "FooBot", "http://example.com/folder/page", True, PREC)
r = ("user-agent: FooBot\n"
     "allow: /page\n"
     "disallow: /*.htm\n")
case(T, r, "FooBot", "http://example.com/page.htm", False, PREC)
r = ("user-agent: FooBot\n"
     "allow: /$\n"
     "disallow: /\n")
case(T, r, "FooBot", "http://example.com/", True, PREC)
case(T, r, "FooBot", "http://example.com/page.html", False, PREC)

# ---------------------------------------------------------------- parse-callback tests
# The C++ RobotsStatsReporter only counts: valid_directives (user-agent, allow,
# disallow and sitemap callbacks; NOT unknown ones, despite its comment),
# unknown_directives, last_line_seen (line number of the last callback of any kind)
# and the sitemap value. "expect" keeps exactly those C++ assertions; "lines" is the
# callback sequence Google's parser produces, written out by hand so that a port
# can compare line by line. The script checks that "lines" agrees with "expect".


def L(line, directive, value, key=None):
    d = {"line": line, "directive": directive, "value": value}
    if key is not None:
        d["key"] = key
    return d


def check_lines(entry):
    lines, exp = entry["lines"], entry["expect"]
    nums = [l["line"] for l in lines]
    assert nums == sorted(nums), entry
    if "validDirectives" in exp:
        assert exp["validDirectives"] == sum(l["directive"] != "unknown" for l in lines), entry
    if "unknownDirectives" in exp:
        assert exp["unknownDirectives"] == sum(l["directive"] == "unknown" for l in lines), entry
    if "lastLineSeen" in exp:
        assert exp["lastLineSeen"] == max(nums), entry
    if "sitemap" in exp:
        assert exp["sitemap"] == "".join(l["value"] for l in lines
                                         if l["directive"] == "sitemap"), entry


def line_case(test, name, body, lines, expect, comment=None):
    entry = {"test": test, "name": name}
    if isinstance(body, bytes):
        try:
            body.decode("utf-8")
            raise AssertionError("valid UTF-8 should go in lineCases as text: " + name)
        except UnicodeDecodeError:
            pass
        entry["robotsBase64"] = base64.b64encode(body).decode("ascii")
        target = bytes_cases
    else:
        entry["robots"] = body
        target = line_cases
    entry["lines"] = lines
    entry["expect"] = expect
    if comment:
        entry["comment"] = comment
    check_lines(entry)
    target.append(entry)


T = "ID_LinesNumbersAreCountedCorrectly"
c = "Different kinds of line endings are all supported: %x0D / %x0A / %x0D.0A"
std_lines = [L(1, "user-agent", "foo"), L(2, "allow", "/some/path"),
             L(3, "user-agent", "bar"), L(6, "disallow", "/")]
exp = {"validDirectives": 4, "lastLineSeen": 6}
line_case(T, "kUnixFile",
          "User-Agent: foo\n"
          "Allow: /some/path\n"
          "User-Agent: bar\n"
          "\n"
          "\n"
          "Disallow: /\n", std_lines, exp, c)
line_case(T, "kDosFile",
          "User-Agent: foo\r\n"
          "Allow: /some/path\r\n"
          "User-Agent: bar\r\n"
          "\r\n"
          "\r\n"
          "Disallow: /\r\n", std_lines, exp, c)
line_case(T, "kMacFile",
          "User-Agent: foo\r"
          "Allow: /some/path\r"
          "User-Agent: bar\r"
          "\r"
          "\r"
          "Disallow: /\r", std_lines, exp, c)
line_case(T, "kNoFinalNewline",
          "User-Agent: foo\n"
          "Allow: /some/path\n"
          "User-Agent: bar\n"
          "\n"
          "\n"
          "Disallow: /", std_lines, exp, c)
line_case(T, "kMixedFile",
          "User-Agent: foo\n"
          "Allow: /some/path\r\n"
          "User-Agent: bar\n"
          "\r\n"
          "\n"
          "Disallow: /", std_lines, exp, c)

T = "ID_UTF8ByteOrderMarkIsSkipped"
bom_lines = [L(1, "user-agent", "foo"), L(2, "allow", "/AnyValue")]
exp = {"validDirectives": 2, "unknownDirectives": 0}
c = "BOM characters are unparseable and thus skipped. The rules following the line are used."
line_case(T, "kUtf8FileFullBOM",
          "\ufeff"  # C++ "\xEF\xBB\xBF": the UTF-8 encoding of U+FEFF
          "User-Agent: foo\n"
          "Allow: /AnyValue\n", bom_lines, exp, c)
line_case(T, "kUtf8FilePartial2BOM",
          b"\xEF\xBB"
          b"User-Agent: foo\n"
          b"Allow: /AnyValue\n", bom_lines, exp,
          "We allow as well partial ByteOrderMarks. Body is not valid UTF-8 (bytes EF BB).")
line_case(T, "kUtf8FilePartial1BOM",
          b"\xEF"
          b"User-Agent: foo\n"
          b"Allow: /AnyValue\n", bom_lines, exp,
          "We allow as well partial ByteOrderMarks. Body is not valid UTF-8 (byte EF).")
broken_key = b"\x11\xBFUser-Agent"
e = L(1, "unknown", "foo")
e["keyBase64"] = base64.b64encode(broken_key).decode("ascii")
line_case(T, "kUtf8FileBrokenBOM",
          b"\xEF\x11\xBF"
          b"User-Agent: foo\n"
          b"Allow: /AnyValue\n",
          [e, L(2, "allow", "/AnyValue")],
          {"validDirectives": 1, "unknownDirectives": 1},
          "If the BOM is not the right sequence, the first line looks like garbage that is "
          "skipped (we essentially see \"\\x11\\xBFUser-Agent\"). We get one broken line. "
          "Body is not valid UTF-8; the unknown line's key (bytes 11 BF + \"User-Agent\") "
          "is given as keyBase64.")
line_case(T, "kUtf8BOMSomewhereInMiddleOfFile",
          "User-Agent: foo\n"
          "\ufeff"  # C++ "\xEF\xBB\xBF"
          "Allow: /AnyValue\n",
          [L(1, "user-agent", "foo"), L(2, "unknown", "/AnyValue", key="\ufeffAllow")],
          {"validDirectives": 1, "unknownDirectives": 1},
          "Some other messed up file: BOMs only valid in the beginning of the file.")

T = "ID_NonStandardLineExample_Sitemap"
sitemap_loc = "http://foo.bar/sitemap.xml"
line_case(T, "sitemapAtEnd",
          "User-Agent: foo\n"
          "Allow: /some/path\n"
          "User-Agent: bar\n"
          "\n"
          "\n" + "Sitemap: " + sitemap_loc + "\n",
          [L(1, "user-agent", "foo"), L(2, "allow", "/some/path"),
           L(3, "user-agent", "bar"), L(6, "sitemap", sitemap_loc)],
          {"sitemap": sitemap_loc},
          "Google specific: the RFC allows any line that crawlers might need, such as "
          "sitemaps, which Google supports.")
line_case(T, "sitemapAtStart",
          "Sitemap: " + sitemap_loc + "\n" +
          "User-Agent: foo\n"
          "Allow: /some/path\n"
          "User-Agent: bar\n"
          "\n"
          "\n",
          [L(1, "sitemap", sitemap_loc), L(2, "user-agent", "foo"),
           L(3, "allow", "/some/path"), L(4, "user-agent", "bar")],
          {"sitemap": sitemap_loc},
          "A sitemap line may appear anywhere in the file.")

# ---------------------------------------------------------------- TestGetPathParamsQuery
for u, p in [
    ("", "/"),
    ("http://www.example.com", "/"),
    ("http://www.example.com/", "/"),
    ("http://www.example.com/a", "/a"),
    ("http://www.example.com/a/", "/a/"),
    ("http://www.example.com/a/b?c=http://d.e/", "/a/b?c=http://d.e/"),
    ("http://www.example.com/a/b?c=d&e=f#fragment", "/a/b?c=d&e=f"),
    ("example.com", "/"),
    ("example.com/", "/"),
    ("example.com/a", "/a"),
    ("example.com/a/", "/a/"),
    ("example.com/a/b?c=d&e=f#fragment", "/a/b?c=d&e=f"),
    ("a", "/"),
    ("a/", "/"),
    ("/a", "/a"),
    ("a/b", "/b"),
    ("example.com?a", "/?a"),
    ("example.com/a;b#c", "/a;b"),
    ("//a/b/c", "/b/c"),
]:
    path_cases.append({"url": u, "path": p})

# ---------------------------------------------------------------- TestMaybeEscapePattern
for pat, esc in [
    ("http://www.example.com", "http://www.example.com"),
    ("/a/b/c", "/a/b/c"),
    ("á", "%C3%A1"),
    ("%aa", "%AA"),
]:
    escape_cases.append({"pattern": pat, "escaped": esc})


# ================================================================ mechanical cross-check
def cxx_tokens(src):
    """Tokenize C++ just enough: string literals (as bytes), identifiers, numbers, punct."""
    esc = {"n": b"\n", "r": b"\r", "t": b"\t", "\\": b"\\", '"': b'"', "'": b"'", "0": b"\0"}
    i, n = 0, len(src)
    while i < n:
        ch = src[i]
        if src.startswith("//", i):
            i = src.index("\n", i)
        elif ch.isspace():
            i += 1
        elif ch == '"':
            i += 1
            buf = b""
            while src[i] != '"':
                if src[i] == "\\":
                    nx = src[i + 1]
                    if nx == "x":
                        m = re.match(r"[0-9A-Fa-f]+", src[i + 2:])
                        buf += bytes([int(m.group(0), 16)])
                        i += 2 + len(m.group(0))
                    else:
                        buf += esc[nx]
                        i += 2
                else:
                    buf += src[i].encode("utf-8")
                    i += 1
            i += 1
            yield ("str", buf)
        elif ch.isalnum() or ch == "_":
            m = re.match(r"[A-Za-z0-9_:]+", src[i:])
            yield ("id", m.group(0))
            i += len(m.group(0))
        else:
            yield ("p", ch)
            i += 1


def extract_calls(src):
    """Return (test, func, [args]) for the calls we translate, evaluating string
    variables declared from literal concatenations within { } scopes. Arguments that
    are not literals/known variables come back as None (the LineTooLong StrCat ones)."""
    toks = list(cxx_tokens(src))
    scopes = [{}]
    out = []
    test = None
    i = 0
    while i < len(toks):
        kind, val = toks[i]
        if kind == "id" and val == "TEST":
            test = toks[i + 4][1]
        if kind == "p" and val == "{":
            scopes.append({})
        elif kind == "p" and val == "}":
            scopes.pop()
        elif (kind == "id" and i + 2 < len(toks) and toks[i + 2] == ("p", "=")
              and toks[i + 1][0] == "id" and toks[i + 3][0] == "str"):
            j, buf = i + 3, b""
            while toks[j][0] == "str":
                buf += toks[j][1]
                j += 1
            if toks[j] == ("p", ";"):
                scopes[-1][toks[i + 1][1]] = buf
        elif kind == "id" and val == "absl::StrAppend" and toks[i + 2] == ("p", "&"):
            # The variable is mutated at run time: its value is no longer known.
            for s in reversed(scopes):
                if toks[i + 3][1] in s:
                    s[toks[i + 3][1]] = None
                    break
        elif (kind == "id" and val.split("::")[-1] in
              ("IsUserAgentAllowed", "IsValidUserAgentToObey", "TestPath", "TestEscape")
              and toks[i + 1] == ("p", "(") and test is not None
              and toks[i - 1] not in (("id", "void"), ("id", "bool"))):  # not a definition
            j, depth, args, cur = i + 2, 1, [], []
            while True:
                t = toks[j]
                if t == ("p", "("):
                    depth += 1
                elif t == ("p", ")"):
                    depth -= 1
                    if depth == 0:
                        break
                if depth == 1 and t == ("p", ","):
                    args.append(cur)
                    cur = []
                else:
                    cur.append(t)
                j += 1
            args.append(cur)

            def ev(a):
                if a and all(t[0] == "str" for t in a):
                    return b"".join(t[1] for t in a)
                if len(a) == 1 and a[0][0] == "id":
                    for s in reversed(scopes):
                        if a[0][1] in s:
                            return s[a[0][1]]
                if [t[1] for t in a] == ["absl::string_view", "(", ")"]:
                    return b""
                return None
            neg = toks[i - 2][1] if toks[i - 1] == ("p", "(") else None
            out.append((test, val.split("::")[-1], [ev(a) for a in args], neg))
        i += 1
    return out


def cross_check(src_path):
    with open(src_path, encoding="utf-8") as f:
        src = f.read()
    n_expect = len(re.findall(r"\bEXPECT_", src))
    calls = extract_calls(src)
    allowed = [c for c in calls if c[1] == "IsUserAgentAllowed"]
    valid = [c for c in calls if c[1] == "IsValidUserAgentToObey"]
    paths = [c for c in calls if c[1] == "TestPath"]
    escs = [c for c in calls if c[1] == "TestEscape"]
    assert len(allowed) == len(cases), (len(allowed), len(cases))
    for (test, _, args, neg), cs in zip(allowed, cases):
        assert test == cs["test"], (test, cs)
        assert cs["allowed"] == (neg == "EXPECT_TRUE"), (neg, cs["test"], cs["url"][:80])
        for got, want in zip(args, (cs["robots"], cs["agent"], cs["url"])):
            if got is not None:  # None: built with StrAppend/StrCat (LineTooLong)
                assert got == want.encode("utf-8"), (test, got[:80], want[:80])
            else:
                assert test == "GoogleOnly_LineTooLong", test
    assert len(valid) == len(agent_validity)
    for (test, _, args, neg), av in zip(valid, agent_validity):
        assert test == av["test"] and args[0] == av["agent"].encode("utf-8")
        assert av["valid"] == (neg == "EXPECT_TRUE")
    assert [(a[0].decode(), a[1].decode()) for _, _, a, _ in paths] == \
        [(p["url"], p["path"]) for p in path_cases]
    assert [(a[0].decode(), a[1].decode()) for _, _, a, _ in escs] == \
        [(e["pattern"], e["escaped"]) for e in escape_cases]

    # Line-case bodies: compare against the C++ static const char arrays by name.
    arrays = {}
    for m in re.finditer(r"static const char (\w+)\[\] =((?:\s*\"(?:[^\"\\]|\\.)*\")+);", src):
        arrays[m.group(1)] = b"".join(t[1] for t in cxx_tokens(m.group(2)))
    for lc in line_cases + bytes_cases:
        if lc["name"] in arrays:
            body = (base64.b64decode(lc["robotsBase64"]) if "robotsBase64" in lc
                    else lc["robots"].encode("utf-8"))
            assert body == arrays.pop(lc["name"]), lc["name"]
    assert not arrays, arrays

    # EXPECT_ accounting: IsUserAgentAllowed + IsValidUserAgentToObey lines, the
    # EXPECT_EQs of the parse-callback tests, and the single EXPECT_EQ line inside
    # each of the TestPath / TestEscape helpers.
    eq_lines = sum(len(lc["expect"]) for lc in line_cases + bytes_cases)
    total = len(cases) + len(agent_validity) + eq_lines + 2
    assert total == n_expect, (total, n_expect)
    return n_expect, eq_lines


def main():
    src = sys.argv[1] if len(sys.argv) > 1 else "/work/shared/corpus/robotstxt/robots_test.cc"
    doc = {
        "source": "https://github.com/google/robotstxt/blob/master/robots_test.cc",
        "licence": "Apache-2.0, Copyright 2019 Google LLC; translated into data by the "
                   "Dragnet authors",
        "sourceCommit": "22b355ff855419e6a3ff8ff09c0ad7fdb17116f9",
        "generatedBy": "translate.py",
        "cases": cases,
        "bytesCases": bytes_cases,
        "lineCases": line_cases,
        "agentValidity": agent_validity,
        "pathCases": path_cases,
        "escapeCases": escape_cases,
    }
    text = json.dumps(doc, ensure_ascii=False, indent=1)
    # Keep U+FEFF visible in the file as the JSON escape \ufeff (same string value).
    text = text.replace("\ufeff", "\\ufeff")
    with open(OUT, "w", encoding="utf-8") as f:
        f.write(text + "\n")
    if os.path.exists(src):
        n_expect, eq_lines = cross_check(src)
        print("cross-check against %s: OK (%d EXPECT_ lines)" % (src, n_expect))
    else:
        print("robots_test.cc not found; cross-check skipped")
    print("cases %d, bytesCases %d, lineCases %d, agentValidity %d, pathCases %d, "
          "escapeCases %d" % (len(cases), len(bytes_cases), len(line_cases),
                              len(agent_validity), len(path_cases), len(escape_cases)))


if __name__ == "__main__":
    main()
