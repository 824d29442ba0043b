// Shared by the two libxml2 drivers (sax.c, text.c); not part of the public API.
#ifndef DRAGNET_SETUP_H
#define DRAGNET_SETUP_H

/// Initialises libxml2 once per process and installs silent error handlers on the
/// calling thread (handlers are per thread, and HTML_PARSE_NOERROR does not silence
/// encoding errors), before every parse.
void dragnet_libxml_prepare(void);

#endif
