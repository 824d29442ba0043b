#include "dragnet_html.h"
#include <libxml/xmlversion.h>
#undef LIBXML_ICU_ENABLED
#include <libxml/HTMLparser.h>
#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/xmlerror.h>
#include "setup.h"
#include <string.h>
#include <strings.h>

typedef struct {
    const dragnet_html_callbacks *callbacks;
    void *user;
    htmlParserCtxtPtr context;
    /* Depth of open elements whose text the extractor wants (a, label, title,
       option, button); text elsewhere never crosses into Swift. */
    int capture;
} driver;

static int captures_text(int tag) {
    return tag == DRAGNET_TAG_A || tag == DRAGNET_TAG_LABEL || tag == DRAGNET_TAG_TITLE ||
           tag == DRAGNET_TAG_OPTION || tag == DRAGNET_TAG_BUTTON;
}

static int tag_of(const xmlChar *name) {
    const char *n = (const char *)name;
    if (n == NULL) return DRAGNET_TAG_OTHER;
    switch (n[0]) {
    case 'a':
        if (n[1] == 0) return DRAGNET_TAG_A;
        if (strcmp(n, "area") == 0) return DRAGNET_TAG_AREA;
        if (strcmp(n, "audio") == 0) return DRAGNET_TAG_AUDIO;
        break;
    case 'b':
        if (strcmp(n, "base") == 0) return DRAGNET_TAG_BASE;
        if (strcmp(n, "button") == 0) return DRAGNET_TAG_BUTTON;
        break;
    case 'e':
        if (strcmp(n, "embed") == 0) return DRAGNET_TAG_EMBED;
        break;
    case 'f':
        if (strcmp(n, "form") == 0) return DRAGNET_TAG_FORM;
        if (strcmp(n, "frame") == 0) return DRAGNET_TAG_FRAME;
        break;
    case 'i':
        if (strcmp(n, "img") == 0) return DRAGNET_TAG_IMG;
        if (strcmp(n, "input") == 0) return DRAGNET_TAG_INPUT;
        if (strcmp(n, "iframe") == 0) return DRAGNET_TAG_IFRAME;
        if (strcmp(n, "image") == 0) return DRAGNET_TAG_IMG;
        break;
    case 'l':
        if (strcmp(n, "link") == 0) return DRAGNET_TAG_LINK;
        if (strcmp(n, "label") == 0) return DRAGNET_TAG_LABEL;
        break;
    case 'm':
        if (strcmp(n, "meta") == 0) return DRAGNET_TAG_META;
        break;
    case 'n':
        if (strcmp(n, "noscript") == 0) return DRAGNET_TAG_NOSCRIPT;
        break;
    case 'o':
        if (strcmp(n, "object") == 0) return DRAGNET_TAG_OBJECT;
        if (strcmp(n, "option") == 0) return DRAGNET_TAG_OPTION;
        break;
    case 's':
        if (strcmp(n, "script") == 0) return DRAGNET_TAG_SCRIPT;
        if (strcmp(n, "source") == 0) return DRAGNET_TAG_SOURCE;
        if (strcmp(n, "select") == 0) return DRAGNET_TAG_SELECT;
        break;
    case 't':
        if (strcmp(n, "title") == 0) return DRAGNET_TAG_TITLE;
        if (strcmp(n, "textarea") == 0) return DRAGNET_TAG_TEXTAREA;
        if (strcmp(n, "template") == 0) return DRAGNET_TAG_TEMPLATE;
        if (strcmp(n, "track") == 0) return DRAGNET_TAG_TRACK;
        break;
    case 'v':
        if (strcmp(n, "video") == 0) return DRAGNET_TAG_VIDEO;
        break;
    }
    return DRAGNET_TAG_OTHER;
}

static void on_start(void *ctx, const xmlChar *name, const xmlChar **attributes) {
    htmlParserCtxtPtr context = (htmlParserCtxtPtr)ctx;
    driver *d = (driver *)context->_private;
    int tag = tag_of(name);
    if (tag == DRAGNET_TAG_OTHER) return;
    int line = context->input != NULL ? context->input->line : 0;
    if (captures_text(tag)) d->capture++;
    d->callbacks->start_element(d->user, tag, (const char **)attributes, line);
}

/* Whether the parser has just consumed an explicit end tag `</name>` (libxml2
   calls endElement right after the `>`), rather than closing the element
   because something else started or ended. */
static int explicit_end_tag(htmlParserCtxtPtr context, const char *name) {
    xmlParserInputPtr input = context->input;
    if (input == NULL || input->cur == NULL || input->base == NULL) return 1;
    const xmlChar *base = input->base;
    const xmlChar *p = input->cur;
    size_t n = strlen(name);
    if ((size_t)(p - base) < n + 3 || p[-1] != '>') return 0;
    const xmlChar *q = p - 2;
    while (q > base && (*q == ' ' || *q == '\t' || *q == '\n' || *q == '\r')) q--;
    if ((size_t)(q - base + 1) < n + 2) return 0;
    const xmlChar *start = q - n + 1;
    return start[-2] == '<' && start[-1] == '/' && strncasecmp((const char *)start, name, n) == 0;
}

static void on_end(void *ctx, const xmlChar *name) {
    htmlParserCtxtPtr context = (htmlParserCtxtPtr)ctx;
    driver *d = (driver *)context->_private;
    int tag = tag_of(name);
    if (tag == DRAGNET_TAG_OTHER) return;
    if (captures_text(tag) && d->capture > 0) d->capture--;
    int implied = tag == DRAGNET_TAG_FORM ? !explicit_end_tag(context, (const char *)name) : 0;
    d->callbacks->end_element(d->user, tag, implied);
}

static void on_characters(void *ctx, const xmlChar *text, int length) {
    htmlParserCtxtPtr context = (htmlParserCtxtPtr)ctx;
    driver *d = (driver *)context->_private;
    if (d->capture > 0) d->callbacks->characters(d->user, (const char *)text, length);
}

static void on_raw(void *ctx, const xmlChar *text, int length) {
    htmlParserCtxtPtr context = (htmlParserCtxtPtr)ctx;
    driver *d = (driver *)context->_private;
    d->callbacks->raw_text(d->user, (const char *)text, length);
}


int dragnet_html_parse(const char *bytes, size_t length, const char *encoding,
                       const dragnet_html_callbacks *callbacks, void *user) {
    dragnet_libxml_prepare();
    if (bytes == NULL || length == 0 || length > 0x7fffffff) return -1;

    htmlSAXHandler sax;
    memset(&sax, 0, sizeof(sax));
    sax.startElement = on_start;
    sax.endElement = on_end;
    sax.characters = on_characters;
    sax.cdataBlock = on_raw;
    sax.initialized = 1;

    htmlParserCtxtPtr context = htmlCreateMemoryParserCtxt(bytes, (int)length);
    if (context == NULL) return -1;
    /* Use our handler; the context owns and frees its copy. */
    if (context->sax != NULL) memcpy(context->sax, &sax, sizeof(sax));
    context->userData = context;
    driver d = { callbacks, user, context, 0 };
    context->_private = &d;
    htmlCtxtUseOptions(context, HTML_PARSE_RECOVER | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING |
                                    HTML_PARSE_NONET | HTML_PARSE_NOBLANKS);
    if (encoding != NULL && encoding[0] != 0) {
        xmlCharEncodingHandlerPtr handler = xmlFindCharEncodingHandler(encoding);
        if (handler != NULL) xmlSwitchToEncoding(context, handler);
    }
    htmlParseDocument(context);
    if (context->myDoc != NULL) xmlFreeDoc(context->myDoc);
    context->myDoc = NULL;
    htmlFreeParserCtxt(context);
    return 0;
}

const char *dragnet_html_libxml_version(void) { return LIBXML_VERSION_STRING; }
