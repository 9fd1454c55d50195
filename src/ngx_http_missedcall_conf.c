
/*
 * Copyright (C) ngx_http_missedcall_module authors
 */


/*
 * What several directives share: secrets and lists read from files,
 * secrets written inline, gateway and webhook URLs.
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_http_missedcall_conf.h"


/*
 * Reads a small file whole at configuration time, in the master, before
 * the workers drop privileges; surrounding white space is trimmed so that
 * a trailing newline is not part of a secret.  Never logs the content.
 */

char *
ngx_http_missedcall_read_file(ngx_conf_t *cf, ngx_str_t *name,
    ngx_str_t *file, size_t max, ngx_str_t *out)
{
    u_char           *p;
    size_t            size;
    ssize_t           n;
    ngx_fd_t          fd;
    ngx_str_t         path;
    ngx_file_info_t   fi;

    path = *file;

    if (ngx_conf_full_name(cf->cycle, &path, 1) != NGX_OK) {
        return NGX_CONF_ERROR;
    }

    fd = ngx_open_file(path.data, NGX_FILE_RDONLY, NGX_FILE_OPEN, 0);
    if (fd == NGX_INVALID_FILE) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, ngx_errno,
                           "\"%V\": cannot open \"%V\"", name, &path);
        return NGX_CONF_ERROR;
    }

    p = NULL;

    if (ngx_fd_info(fd, &fi) == NGX_FILE_ERROR) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, ngx_errno,
                           "\"%V\": cannot stat \"%V\"", name, &path);
        goto failed;
    }

    size = (size_t) ngx_file_size(&fi);

    if (size > max) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "\"%V\": \"%V\" is larger than %uz bytes",
                           name, &path, max);
        goto failed;
    }

    p = ngx_pnalloc(cf->pool, size + 1);
    if (p == NULL) {
        goto failed;
    }

    n = ngx_read_fd(fd, p, size);

    if (n == -1 || (size_t) n != size) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, ngx_errno,
                           "\"%V\": cannot read \"%V\"", name, &path);
        goto failed;
    }

    ngx_close_file(fd);

    while (size && (p[size - 1] == '\n' || p[size - 1] == '\r'
                    || p[size - 1] == ' ' || p[size - 1] == '\t'))
    {
        size--;
    }

    while (size && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')) {
        p++;
        size--;
    }

    if (size == 0) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "\"%V\": \"%V\" is empty", name, &path);
        return NGX_CONF_ERROR;
    }

    p[size] = '\0';
    out->data = p;
    out->len = size;

    return NGX_CONF_OK;

failed:

    ngx_close_file(fd);
    return NGX_CONF_ERROR;
}


/*
 * The next line of a file, trimmed; blank lines and "#" comments are
 * skipped.  0: no more lines.
 */

ngx_uint_t
ngx_http_missedcall_next_line(u_char **p, u_char *last, ngx_str_t *line)
{
    u_char  *eol, *start, *end;

    while (*p < last) {
        eol = ngx_strlchr(*p, last, '\n');
        if (eol == NULL) {
            eol = last;
        }

        start = *p;
        end = eol;
        *p = (eol < last) ? eol + 1 : last;

        while (start < end && (*start == ' ' || *start == '\t')) {
            start++;
        }

        while (end > start && (end[-1] == ' ' || end[-1] == '\t'
                               || end[-1] == '\r'))
        {
            end--;
        }

        if (start < end && *start != '#') {
            line->data = start;
            line->len = end - start;
            return 1;
        }
    }

    return 0;
}


char *
ngx_http_missedcall_secret_file(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf)
{
    ngx_str_t  *field, *value;

    field = (ngx_str_t *) ((u_char *) conf + cmd->offset);

    if (field->data) {
        return "is duplicate";
    }

    value = cf->args->elts;

    return ngx_http_missedcall_read_file(cf, &cmd->name, &value[1],
                                         NGX_HTTP_MISSEDCALL_SECRET_MAX, field);
}


/* works, but the secret then sits in nginx.conf and its backups */

char *
ngx_http_missedcall_secret(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_str_t  *field, *value;

    field = (ngx_str_t *) ((u_char *) conf + cmd->offset);

    if (field->data) {
        return "is duplicate";
    }

    value = cf->args->elts;

    if (value[1].len == 0) {
        return "is empty";
    }

    ngx_conf_log_error(NGX_LOG_WARN, cf, 0,
                       "\"%V\" keeps a secret in the configuration, "
                       "\"%V_file\" keeps it in a file of its own",
                       &cmd->name, &cmd->name);

    *field = value[1];

    return NGX_CONF_OK;
}


char *
ngx_http_missedcall_url(ngx_conf_t *cf, ngx_str_t *name, ngx_str_t *url)
{
    if (ngx_strncasecmp(url->data, (u_char *) "http://", 7) != 0
        && ngx_strncasecmp(url->data, (u_char *) "https://", 8) != 0)
    {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "\"%V\": \"%V\" is not an http:// or https:// URL",
                           name, url);
        return NGX_CONF_ERROR;
    }

    return NGX_CONF_OK;
}


/* "5/1h": count events per window; a window of 1s or more */

ngx_int_t
ngx_http_missedcall_parse_rate(ngx_str_t *value, ngx_uint_t *count,
    ngx_msec_t *window)
{
    u_char     *slash;
    ngx_int_t   n;
    ngx_str_t   w;

    slash = ngx_strlchr(value->data, value->data + value->len, '/');
    if (slash == NULL) {
        return NGX_ERROR;
    }

    n = ngx_atoi(value->data, slash - value->data);

    w.data = slash + 1;
    w.len = value->data + value->len - w.data;

    *window = ngx_parse_time(&w, 0);

    if (n <= 0 || *window == (ngx_msec_t) NGX_ERROR || *window < 1000) {
        return NGX_ERROR;
    }

    *count = (ngx_uint_t) n;

    return NGX_OK;
}
