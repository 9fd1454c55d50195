#!/bin/sh

# Turns the module's Lua scripts into C, at configure time.
#
#   lua2c.sh DIR FILE.lua...   writes DIR/ngx_http_missedcall_scripts.[ch]
#   lua2c.sh -l FILE.lua       prints the Lua that Redis runs
#
# A line "--#include NAME" becomes include/NAME.lua on one line, without
# its comments, and a comment line becomes empty: line N of the script
# Redis runs is line N of its file.  The header's KEYS and ARGV entries
# ("--   name  meaning", "--   name...  " for a variable tail) become C
# enums: KEY_ and ARG_ indexes, counts KEYS and ARGS (with a tail: where it
# starts) and, without tails, ARGC, the length of the argv that
# ngx_http_missedcall_redis_eval() takes: the keys, then the arguments.

set -e

lua2c() {
    awk -v mode="$1" '

    function expand(file,    line, name, inc, joined) {
        while ((getline line < file) > 0) {
            if (line ~ /^--#include [a-z_]+$/) {
                name = substr(line, 12)
                inc = dir "/include/" name ".lua"
                joined = ""
                while ((getline line < inc) > 0) {
                    if (line ~ /^[ \t]*(--|$)/) {
                        continue
                    }
                    sub(/^[ \t]+/, "", line)
                    joined = joined (joined == "" ? "" : " ") line
                }
                close(inc)
                if (joined == "") {
                    fail(file ": no include " inc)
                }
                line = joined

            } else if (line ~ /^[ \t]*--/) {
                line = ""
            }
            body[++nbody] = line
        }
        close(file)
    }

    function fail(msg) {
        print "lua2c: " msg > "/dev/stderr"
        err = 1
        exit 1
    }

    # the "--   name  meaning" entries of the header sections
    function header(file, p,    line, part, name, sections) {
        part = ""
        sections = 0
        while ((getline line < file) > 0 && line ~ /^--/) {
            if (line ~ /^-- (KEYS|ARGV|ANSWER):$/) {
                part = substr(line, 4, length(line) - 4)
                sections++

            } else if (line ~ /^--   [a-z]/ && part != "ANSWER") {
                if (part == "") {
                    fail(file ": an entry before KEYS")
                }
                name = substr(line, 6)
                sub(/ .*/, "", name)
                if (name !~ /^[a-z][a-z0-9_]*(\.\.\.)?$/ || tail[p, part]) {
                    fail(file ": bad entry \"" name "\"")
                }
                if (name ~ /\.\.\.$/) {
                    name = substr(name, 1, length(name) - 3)
                    tail[p, part] = 1
                }
                entry[p, part, ++count[p, part]] = toupper(name)
            }
        }
        close(file)
        if (sections != 3) {
            fail(file ": the header needs KEYS:, ARGV: and ANSWER:")
        }
    }

    function enum(p, part, what, n,    i, last) {
        print "enum {"
        for (i = 1; i <= count[p, part]; i++) {
            last = p "_" what "_" entry[p, part, i]
            print "    " last ","
        }
        if (tail[p, part]) {
            print "    " p "_" what "S = " last
        } else {
            print "    " p "_" what "S"
        }
        print "};"
    }

    {
        file = $0
        name = file
        sub(/.*\//, "", name)
        sub(/\.lua$/, "", name)
        dir = file ~ /\// ? file : "./" file
        sub(/\/[^\/]*$/, "", dir)
        nbody = 0
        expand(file)

        if (mode == "lua") {
            for (i = 1; i <= nbody; i++) {
                print body[i]
            }
            next
        }

        p = "NGX_HTTP_MISSEDCALL_" toupper(name)
        header(file, p)

        if (mode == "h") {
            print ""
            print "/* src/lua/" name ".lua */"
            print ""
            print "extern ngx_http_missedcall_script_t  " \
                  "ngx_http_missedcall_script_" name ";"
            print ""
            enum(p, "KEYS", "KEY")
            print ""
            enum(p, "ARGV", "ARG")
            if (!tail[p, "KEYS"] && !tail[p, "ARGV"]) {
                print ""
                print "enum {"
                print "    " p "_ARGC = " p "_KEYS + " p "_ARGS"
                print "};"
            }
            print ""
            next
        }

        scripts[++nscripts] = name
        print ""
        print ""
        print "ngx_http_missedcall_script_t  " \
              "ngx_http_missedcall_script_" name " = {"
        print "    \"" name "\","
        print "    \"src/lua/" name ".lua\","
        print "    ngx_string("
        for (i = 1; i <= nbody; i++) {
            line = body[i]
            gsub(/\\/, "&&", line)
            gsub(/"/, "\\\"", line)
            print "    \"" line "\\n\"" (i == nbody ? ")," : "")
        }
        print "    \"\""
        print "};"
    }

    END {
        if (err || mode != "c") {
            exit err
        }
        print ""
        print ""
        print "ngx_http_missedcall_script_t  *ngx_http_missedcall_scripts[] = {"
        for (i = 1; i <= nscripts; i++) {
            print "    &ngx_http_missedcall_script_" scripts[i] ","
        }
        print "    NULL"
        print "};"
    }
    '
}

if [ "$1" = -l ]; then
    echo "$2" | lua2c lua
    exit
fi

out=$1
shift

notice="/* generated from src/lua by src/lua/lua2c.sh: do not edit */"

{
    echo "$notice"
    echo
    echo "#ifndef _NGX_HTTP_MISSEDCALL_SCRIPTS_H_INCLUDED_"
    echo "#define _NGX_HTTP_MISSEDCALL_SCRIPTS_H_INCLUDED_"
    echo
    echo "#include \"ngx_http_missedcall_redis.h\""
    echo
    echo "extern ngx_http_missedcall_script_t  *ngx_http_missedcall_scripts[];"
    printf '%s\n' "$@" | lua2c h
    echo "#endif"
} > "$out/ngx_http_missedcall_scripts.h"

{
    echo "$notice"
    echo
    echo "#include <ngx_config.h>"
    echo "#include <ngx_core.h>"
    echo "#include \"ngx_http_missedcall_scripts.h\""
    printf '%s\n' "$@" | lua2c c
} > "$out/ngx_http_missedcall_scripts.c"
