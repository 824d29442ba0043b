#include "setup.h"
#include <libxml/xmlversion.h>
#undef LIBXML_ICU_ENABLED
#include <libxml/parser.h>
#include <libxml/xmlerror.h>
#include <pthread.h>

static void silent_structured(void *user, xmlErrorPtr error) {
    (void)user;
    (void)error;
}

static void silent_generic(void *user, const char *message, ...) {
    (void)user;
    (void)message;
}

static pthread_once_t init_once = PTHREAD_ONCE_INIT;
static void init_parser(void) { xmlInitParser(); }

void dragnet_libxml_prepare(void) {
    pthread_once(&init_once, init_parser);
    xmlSetStructuredErrorFunc(NULL, silent_structured);
    xmlSetGenericErrorFunc(NULL, silent_generic);
}
