// A streaming (SAX) driver for libxml2's HTML parser.
//
// Dragnet extracts what it needs in one pass without building a tree, which is
// about twice as fast as parsing into a DOM and walking it (see NOTES-C.md), and
// copes with any nesting depth. Only elements Dragnet cares about are reported;
// their tag id comes from `dragnet_html_tag`.
#ifndef DRAGNET_HTML_H
#define DRAGNET_HTML_H

#include <stddef.h>

/// Elements reported to the callbacks. Everything else is skipped in C.
typedef enum {
    DRAGNET_TAG_OTHER = 0,
    DRAGNET_TAG_A, DRAGNET_TAG_AREA, DRAGNET_TAG_AUDIO, DRAGNET_TAG_BASE, DRAGNET_TAG_BUTTON,
    DRAGNET_TAG_EMBED, DRAGNET_TAG_FORM, DRAGNET_TAG_FRAME, DRAGNET_TAG_IFRAME, DRAGNET_TAG_IMG,
    DRAGNET_TAG_INPUT, DRAGNET_TAG_LABEL, DRAGNET_TAG_LINK, DRAGNET_TAG_META, DRAGNET_TAG_NOSCRIPT,
    DRAGNET_TAG_OBJECT, DRAGNET_TAG_SCRIPT, DRAGNET_TAG_SELECT, DRAGNET_TAG_SOURCE, DRAGNET_TAG_TEMPLATE,
    DRAGNET_TAG_TEXTAREA, DRAGNET_TAG_TITLE, DRAGNET_TAG_TRACK, DRAGNET_TAG_VIDEO, DRAGNET_TAG_OPTION,
    DRAGNET_TAG_COUNT
} dragnet_html_tag;

/// Callbacks into the extractor. `attributes` is a NULL-terminated list of
/// name/value pairs (a value may be NULL for a bare attribute); names are lower-case.
/// `line` is the 1-based source line.
typedef struct {
    void (*start_element)(void *user, int tag, const char **attributes, int line);
    /// `implied` is 1 when no end tag was written: libxml2 closed the element
    /// because another one started (a <form> inside a <form>, for example).
    void (*end_element)(void *user, int tag, int implied);
    /// Text inside elements (already decoded to UTF-8).
    void (*characters)(void *user, const char *text, int length);
    /// Raw content of <script> and <style>.
    void (*raw_text)(void *user, const char *text, int length);
} dragnet_html_callbacks;

/// Parses `length` bytes of HTML, calling back as it goes.
/// `encoding` is the charset from the HTTP header, or NULL to let libxml2 use a
/// BOM or `<meta charset>`. Never touches the network, never expands entities
/// from a DTD. Returns 0 on success, -1 when the input could not be parsed at all
/// (empty input, unknown encoding, out of memory).
int dragnet_html_parse(const char *bytes, size_t length, const char *encoding,
                       const dragnet_html_callbacks *callbacks, void *user);

/// The libxml2 version string ("20914").
const char *dragnet_html_libxml_version(void);

#endif
