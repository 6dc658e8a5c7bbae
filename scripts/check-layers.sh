#!/bin/sh
# The engine's layers, checked: every `#include "folder/…"` in engine/FOLDER must name FOLDER
# itself or a folder FOLDER may use (ARCHITECTURE.md, "Layers"). An include the table does not
# allow is an upward (or sideways) dependency and fails the check; so does a private libharu
# header outside engine/pdf/hpdf_internals.cpp. ctest runs it as `check_layers`, so CI does. Usage: scripts/check-layers.sh [SOURCE_DIR]
set -eu

root=${1:-$(dirname "$0")/..}
cd "$root/engine"

# folder: the folders it may include besides itself. Renderers (pdf, xlsx) see only the
# document model and core; template never a renderer; nothing includes app, batch or cli
# except the layers above them.
allowed() {
    case $1 in
        core)     echo "" ;;
        data)     echo "core" ;;
        model)    echo "core" ;;
        config)   echo "core data model" ;;  # reports.ini describes data sources and page defaults
        output)   echo "core" ;;
        template) echo "core data model" ;;
        pdf)      echo "core model" ;;
        xlsx)     echo "core model" ;;
        app)      echo "core config data model output template pdf xlsx" ;;
        batch)    echo "core config data model output template app" ;;
        server)   echo "core config output app batch" ;;  # the engine behind HTTP: through app and batch, like cli
        cli)      echo "core config output app batch server" ;;  # a thin main: templates, checks and renders through app
        *)        echo "?" ;;
    esac
}

status=0
for dir in */; do
    layer=${dir%/}
    may=$(allowed "$layer")
    if [ "$may" = "?" ]; then
        echo "check-layers: engine/$layer/ is not in the layer table of scripts/check-layers.sh" >&2
        status=1
        continue
    fi
    # Lines like: engine/pdf/chart.cpp:9:#include "template/format.h"
    for hit in $(grep -rHn '^[[:space:]]*#[[:space:]]*include[[:space:]]*"[^"/]*/' "$layer" |
                 sed 's/[[:space:]]//g'); do
        target=$(printf '%s\n' "$hit" | sed 's/.*#include"\([^"/]*\)\/.*/\1/')
        [ "$target" = "$layer" ] && continue
        ok=0
        for m in $may; do [ "$m" = "$target" ] && ok=1; done
        if [ $ok = 0 ]; then
            where=$(printf '%s\n' "$hit" | cut -d: -f1,2)
            echo "check-layers: engine/$where: $layer may not include $target/ (allowed: ${may:-nothing})" >&2
            status=1
        fi
    done
done
# libharu's private headers (every <hpdf_*.h>; the public API is <hpdf.h>) only in the one file
# that keeps every use of libharu's internals (engine/pdf/hpdf_internals.h says why).
for hit in $(grep -rln '^[[:space:]]*#[[:space:]]*include[[:space:]]*<hpdf_' . | sed 's|^\./||'); do
    if [ "$hit" != pdf/hpdf_internals.cpp ]; then
        echo "check-layers: engine/$hit includes a private libharu header; only engine/pdf/hpdf_internals.cpp may" >&2
        status=1
    fi
done

[ $status = 0 ] && echo "check-layers: every include goes down the layers, libharu's internals stay in one file"
exit $status
