// libxml2 for Swift. Debian's headers pull in ICU, which clashes with the ICU
// that Foundation bundles on a clean build; switch libxml2's ICU headers off
// before anything else includes them (see ../shared/NOTES-C.md).
#include <libxml/xmlversion.h>
#undef LIBXML_ICU_ENABLED
#include <libxml/HTMLparser.h>
#include <libxml/HTMLtree.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>
#include <libxml/xmlmemory.h>
