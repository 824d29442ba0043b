// Typed, prefixed wrappers for libcurl's variadic entry points.
//
// Swift cannot call C variadic functions such as curl_easy_setopt(3),
// curl_easy_getinfo(3) and curl_multi_setopt(3). Each wrapper below passes one
// argument kind through unchanged. The wrappers hold no state.
#ifndef DRAGNET_CURL_H
#define DRAGNET_CURL_H

#include <curl/curl.h>

/// Signature of CURLOPT_WRITEFUNCTION and CURLOPT_HEADERFUNCTION callbacks.
typedef size_t (*dragnet_curl_data_callback)(char *data, size_t size, size_t count, void *user);

/// curl_easy_setopt(3) with a `long` argument.
CURLcode dragnet_curl_easy_setopt_long(CURL *easy, CURLoption option, long value);
/// curl_easy_setopt(3) with a `curl_off_t` argument.
CURLcode dragnet_curl_easy_setopt_off_t(CURL *easy, CURLoption option, curl_off_t value);
/// curl_easy_setopt(3) with a C string (libcurl copies it).
CURLcode dragnet_curl_easy_setopt_string(CURL *easy, CURLoption option, const char *value);
/// curl_easy_setopt(3) with an opaque pointer (user data, error buffer).
CURLcode dragnet_curl_easy_setopt_ptr(CURL *easy, CURLoption option, void *value);
/// curl_easy_setopt(3) with a header list; the list must outlive the transfer.
CURLcode dragnet_curl_easy_setopt_slist(CURL *easy, CURLoption option, struct curl_slist *value);
/// curl_easy_setopt(3) with a write or header callback.
CURLcode dragnet_curl_easy_setopt_data_callback(CURL *easy, CURLoption option, dragnet_curl_data_callback value);

/// curl_easy_getinfo(3) for `long` values.
CURLcode dragnet_curl_easy_getinfo_long(CURL *easy, CURLINFO info, long *value);
/// curl_easy_getinfo(3) for `curl_off_t` values (the *_T timings are microseconds).
CURLcode dragnet_curl_easy_getinfo_off_t(CURL *easy, CURLINFO info, curl_off_t *value);
/// curl_easy_getinfo(3) for string values; the string belongs to the handle.
CURLcode dragnet_curl_easy_getinfo_string(CURL *easy, CURLINFO info, const char **value);

/// The leaf certificate's subject alternative names as OpenSSL prints them ("DNS:a.example,
/// DNS:b.example"), from CURLINFO_CERTINFO (CURLOPT_CERTINFO must have been set), copied into
/// `out` (NUL-terminated); returns its length, 0 when there is none (plain HTTP, a reused connection).
int dragnet_curl_subject_alt_names(CURL *easy, char *out, int out_size);

/// curl_multi_setopt(3) with a `long` argument.
CURLMcode dragnet_curl_multi_setopt_long(CURLM *multi, CURLMoption option, long value);

/// Whether a message from curl_multi_info_read(3) says a transfer is done.
int dragnet_curl_msg_is_done(const CURLMsg *message);
/// The transfer's result code, read out of CURLMsg's anonymous union.
CURLcode dragnet_curl_msg_result(const CURLMsg *message);

/// The CURL_ERROR_SIZE constant (a macro Swift does not import).
size_t dragnet_curl_error_size(void);

/// curl_global_init(3) with CURL_GLOBAL_DEFAULT; safe to call more than once.
CURLcode dragnet_curl_global_init(void);

/// Whether the linked libcurl decodes the given content encoding.
/// `feature` is one of CURL_VERSION_LIBZ, CURL_VERSION_BROTLI, CURL_VERSION_ZSTD.
int dragnet_curl_has_feature(int feature);

/// The version string of the linked libcurl ("7.88.1").
const char *dragnet_curl_version_string(void);

#endif
