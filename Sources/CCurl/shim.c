#include <string.h>
#include "dragnet_curl.h"
#include <pthread.h>

CURLcode dragnet_curl_easy_setopt_long(CURL *easy, CURLoption option, long value) {
    return curl_easy_setopt(easy, option, value);
}

CURLcode dragnet_curl_easy_setopt_off_t(CURL *easy, CURLoption option, curl_off_t value) {
    return curl_easy_setopt(easy, option, value);
}

CURLcode dragnet_curl_easy_setopt_string(CURL *easy, CURLoption option, const char *value) {
    return curl_easy_setopt(easy, option, value);
}

CURLcode dragnet_curl_easy_setopt_ptr(CURL *easy, CURLoption option, void *value) {
    return curl_easy_setopt(easy, option, value);
}

CURLcode dragnet_curl_easy_setopt_slist(CURL *easy, CURLoption option, struct curl_slist *value) {
    return curl_easy_setopt(easy, option, value);
}

CURLcode dragnet_curl_easy_setopt_data_callback(CURL *easy, CURLoption option, dragnet_curl_data_callback value) {
    return curl_easy_setopt(easy, option, value);
}

CURLcode dragnet_curl_easy_getinfo_long(CURL *easy, CURLINFO info, long *value) {
    return curl_easy_getinfo(easy, info, value);
}

CURLcode dragnet_curl_easy_getinfo_off_t(CURL *easy, CURLINFO info, curl_off_t *value) {
    return curl_easy_getinfo(easy, info, value);
}

CURLcode dragnet_curl_easy_getinfo_string(CURL *easy, CURLINFO info, const char **value) {
    return curl_easy_getinfo(easy, info, value);
}

int dragnet_curl_subject_alt_names(CURL *easy, char *out, int out_size) {
    struct curl_certinfo *info = NULL;
    if (out_size <= 0 || curl_easy_getinfo(easy, CURLINFO_CERTINFO, &info) != CURLE_OK || info == NULL || info->num_of_certs < 1) return 0;
    static const char prefix[] = "X509v3 Subject Alternative Name:";
    for (struct curl_slist *item = info->certinfo[0]; item != NULL; item = item->next) {
        if (strncmp(item->data, prefix, sizeof prefix - 1) != 0) continue;
        const char *value = item->data + sizeof prefix - 1;
        size_t length = strlen(value);
        if (length >= (size_t)out_size) length = (size_t)out_size - 1;
        memcpy(out, value, length);
        out[length] = 0;
        return (int)length;
    }
    return 0;
}

CURLMcode dragnet_curl_multi_setopt_long(CURLM *multi, CURLMoption option, long value) {
    return curl_multi_setopt(multi, option, value);
}

int dragnet_curl_msg_is_done(const CURLMsg *message) {
    return message != NULL && message->msg == CURLMSG_DONE;
}

CURLcode dragnet_curl_msg_result(const CURLMsg *message) {
    return message->data.result;
}

size_t dragnet_curl_error_size(void) {
    return CURL_ERROR_SIZE;
}

static pthread_once_t dragnet_curl_once = PTHREAD_ONCE_INIT;
static CURLcode dragnet_curl_init_result = CURLE_OK;

static void dragnet_curl_do_init(void) {
    dragnet_curl_init_result = curl_global_init(CURL_GLOBAL_DEFAULT);
}

CURLcode dragnet_curl_global_init(void) {
    pthread_once(&dragnet_curl_once, dragnet_curl_do_init);
    return dragnet_curl_init_result;
}

int dragnet_curl_has_feature(int feature) {
    curl_version_info_data *info = curl_version_info(CURLVERSION_NOW);
    return info != NULL && (info->features & feature) != 0;
}

const char *dragnet_curl_version_string(void) {
    curl_version_info_data *info = curl_version_info(CURLVERSION_NOW);
    return info != NULL ? info->version : "unknown";
}
