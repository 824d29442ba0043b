#include "dragnet_text.h"
#include <libxml/xmlversion.h>
#undef LIBXML_ICU_ENABLED
#include <libxml/HTMLparser.h>
#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/xmlerror.h>
#include "setup.h"
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MAX_DEPTH 256

typedef struct {
    dragnet_block_callback callback;
    void *user;
    char *text;
    size_t length, capacity;
    /* Open elements whose content is skipped (script, nav, a cookie banner …):
       the depth at which skipping started, 0 when not skipping. */
    int depth;
    int skip_from;
    /* Kind and level of the innermost open block element, per depth. */
    int kinds[MAX_DEPTH];
    int levels[MAX_DEPTH];
    int overflow;
} collector;

static void append(collector *c, const char *text, size_t length) {
    if (c->length + length + 1 > c->capacity) {
        size_t capacity = c->capacity ? c->capacity : 4096;
        while (capacity < c->length + length + 1) capacity *= 2;
        char *grown = realloc(c->text, capacity);
        if (grown == NULL) return;
        c->text = grown;
        c->capacity = capacity;
    }
    memcpy(c->text + c->length, text, length);
    c->length += length;
}

/* Reports the text gathered so far as one block of `kind`, if it has any non-space. */
static void flush(collector *c, int kind, int level) {
    size_t i;
    for (i = 0; i < c->length; i++) {
        unsigned char ch = (unsigned char)c->text[i];
        if (ch != ' ' && ch != '\t' && ch != '\n' && ch != '\r' && ch != '\f') break;
    }
    if (i < c->length) c->callback(c->user, kind, level, c->text, c->length);
    c->length = 0;
}

static int skipped_element(const char *n) {
    static const char *names[] = {"script", "style", "noscript", "nav", "header", "footer", "aside", "form",
                                  "button", "select", "svg", "template", "iframe", "head", "object", "dialog", NULL};
    for (int i = 0; names[i] != NULL; i++)
        if (strcmp(n, names[i]) == 0) return 1;
    return 0;
}

/* Cookie banners and consent managers, by id or class. */
static int banner_attribute(const char *value) {
    static const char *words[] = {"cookie", "consent", "gdpr", "onetrust", "cookiebot", "cmp-", "usercentrics", NULL};
    char lowered[256];
    size_t n = strlen(value);
    if (n >= sizeof(lowered)) n = sizeof(lowered) - 1;
    for (size_t i = 0; i < n; i++) lowered[i] = (char)((value[i] >= 'A' && value[i] <= 'Z') ? value[i] + 32 : value[i]);
    lowered[n] = 0;
    for (int i = 0; words[i] != NULL; i++)
        if (strstr(lowered, words[i]) != NULL) return 1;
    return 0;
}

static int hidden(const xmlChar **attributes) {
    if (attributes == NULL) return 0;
    for (int i = 0; attributes[i] != NULL; i += 2) {
        const char *name = (const char *)attributes[i];
        const char *value = (const char *)attributes[i + 1];
        if (strcmp(name, "hidden") == 0) return 1;
        if (value == NULL) continue;
        if (strcmp(name, "aria-hidden") == 0 && strcmp(value, "true") == 0) return 1;
        if ((strcmp(name, "id") == 0 || strcmp(name, "class") == 0) && banner_attribute(value)) return 1;
        if (strcmp(name, "style") == 0 && (strstr(value, "display:none") || strstr(value, "display: none"))) return 1;
    }
    return 0;
}

/* Block kind of an element: heading, list item, paragraph-like, a plain container (-1), or inline (0). */
static int block_kind(const char *n, int *level) {
    *level = 0;
    if (n[0] == 'h' && n[1] >= '1' && n[1] <= '6' && n[2] == 0) {
        *level = n[1] - '0';
        return DRAGNET_BLOCK_HEADING;
    }
    if (strcmp(n, "li") == 0) return DRAGNET_BLOCK_LIST_ITEM;
    if (strcmp(n, "title") == 0) return DRAGNET_BLOCK_TITLE;
    static const char *paragraphs[] = {"p", "dt", "dd", "td", "th", "blockquote", "pre", "figcaption", "caption", "summary", NULL};
    for (int i = 0; paragraphs[i] != NULL; i++)
        if (strcmp(n, paragraphs[i]) == 0) return DRAGNET_BLOCK_PARAGRAPH;
    static const char *containers[] = {"div", "section", "article", "main", "body", "html", "table", "tr", "ul", "ol",
                                       "dl", "br", "hr", "details", "tbody", "thead", "center", NULL};
    for (int i = 0; containers[i] != NULL; i++)
        if (strcmp(n, containers[i]) == 0) return -1;
    return 0;
}

static void on_start(void *ctx, const xmlChar *name, const xmlChar **attributes) {
    htmlParserCtxtPtr context = (htmlParserCtxtPtr)ctx;
    collector *c = (collector *)context->_private;
    const char *n = (const char *)name;
    c->depth++;
    if (c->depth >= MAX_DEPTH) {
        c->overflow++;
        return;
    }
    c->kinds[c->depth] = c->kinds[c->depth - 1];
    c->levels[c->depth] = c->levels[c->depth - 1];
    if (c->skip_from) return;
    if (skipped_element(n) || hidden(attributes)) {
        c->skip_from = c->depth;
        return;
    }
    int level;
    int kind = block_kind(n, &level);
    if (kind == 0) return;
    /* A block starts: what came before belongs to the enclosing block. */
    flush(c, c->kinds[c->depth - 1] > 0 ? c->kinds[c->depth - 1] : DRAGNET_BLOCK_PARAGRAPH, c->levels[c->depth - 1]);
    if (kind > 0) {
        c->kinds[c->depth] = kind;
        c->levels[c->depth] = level;
    }
}

static void on_end(void *ctx, const xmlChar *name) {
    htmlParserCtxtPtr context = (htmlParserCtxtPtr)ctx;
    collector *c = (collector *)context->_private;
    (void)name;
    if (c->depth >= MAX_DEPTH) {
        c->overflow--;
        c->depth--;
        return;
    }
    if (c->skip_from) {
        if (c->depth == c->skip_from) c->skip_from = 0;
        c->depth--;
        return;
    }
    int level;
    int kind = block_kind((const char *)name, &level);
    if (kind != 0) flush(c, c->kinds[c->depth] > 0 ? c->kinds[c->depth] : DRAGNET_BLOCK_PARAGRAPH, c->levels[c->depth]);
    else append(c, "", 0);
    c->depth--;
}

static void on_characters(void *ctx, const xmlChar *text, int length) {
    htmlParserCtxtPtr context = (htmlParserCtxtPtr)ctx;
    collector *c = (collector *)context->_private;
    if (c->skip_from || c->depth >= MAX_DEPTH || length <= 0) return;
    append(c, (const char *)text, (size_t)length);
}


int dragnet_html_text_blocks(const char *bytes, size_t length, const char *encoding,
                             dragnet_block_callback callback, void *user) {
    dragnet_libxml_prepare();
    if (bytes == NULL || length == 0 || length > 0x7fffffff || callback == NULL) return -1;

    htmlSAXHandler sax;
    memset(&sax, 0, sizeof(sax));
    sax.startElement = on_start;
    sax.endElement = on_end;
    sax.characters = on_characters;
    sax.initialized = 1;

    htmlParserCtxtPtr context = htmlCreateMemoryParserCtxt(bytes, (int)length);
    if (context == NULL) return -1;
    if (context->sax != NULL) memcpy(context->sax, &sax, sizeof(sax));
    context->userData = context;
    collector c;
    memset(&c, 0, sizeof(c));
    c.callback = callback;
    c.user = user;
    context->_private = &c;
    htmlCtxtUseOptions(context, HTML_PARSE_RECOVER | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING | HTML_PARSE_NONET);
    if (encoding != NULL && encoding[0] != 0) {
        xmlCharEncodingHandlerPtr handler = xmlFindCharEncodingHandler(encoding);
        if (handler != NULL) xmlSwitchToEncoding(context, handler);
    }
    htmlParseDocument(context);
    flush(&c, DRAGNET_BLOCK_PARAGRAPH, 0);
    if (context->myDoc != NULL) xmlFreeDoc(context->myDoc);
    context->myDoc = NULL;
    htmlFreeParserCtxt(context);
    free(c.text);
    return 0;
}
