// Main text of a document (a privacy policy) with libxml2's HTML parser in SAX
// mode: headings, paragraphs and list items in document order, without scripts,
// styles, navigation, headers, footers, forms, hidden elements and cookie banners.
#ifndef DRAGNET_TEXT_H
#define DRAGNET_TEXT_H

#include <stddef.h>

typedef enum {
    DRAGNET_BLOCK_HEADING = 1,
    DRAGNET_BLOCK_PARAGRAPH = 2,
    DRAGNET_BLOCK_LIST_ITEM = 3,
    DRAGNET_BLOCK_TITLE = 4
} dragnet_block_kind;

/// Called once per block with its UTF-8 text (whitespace not yet collapsed).
/// `level` is 1–6 for headings, else 0.
typedef void (*dragnet_block_callback)(void *user, int kind, int level, const char *text, size_t length);

/// Parses `length` bytes of HTML and reports its text blocks. `encoding` as for
/// `dragnet_html_parse`. Returns 0, or -1 when nothing could be parsed.
int dragnet_html_text_blocks(const char *bytes, size_t length, const char *encoding,
                             dragnet_block_callback callback, void *user);

#endif
