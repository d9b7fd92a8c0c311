# SPDX-License-Identifier: GPL-2.0-or-later
# bash completion for voidoci: commands, global and per-command options,
# container IDs (voidoci list -q under the --root given), signal names for
# kill, directories for --bundle.

_voidoci_ids()
{
    local root=$1
    "${COMP_WORDS[0]}" ${root:+--root "$root"} list -q 2>/dev/null
}

_voidoci()
{
    local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}
    local commands="create delete events exec explain features help kill list pause ps resume run spec start state update"
    local global="--root --log --log-format --debug --systemd-cgroup --help --version -h -v"
    local root="" cmd="" i=1 w
    COMPREPLY=()

    # The global options and the command, in order.
    while [ $i -lt $COMP_CWORD ]; do
        w=${COMP_WORDS[i]}
        case $w in
            --root) root=${COMP_WORDS[i+1]}; i=$((i + 2)); continue ;;
            --root=*) root=${w#--root=} ;;
            --log|--log-format) i=$((i + 2)); continue ;;
            -*) ;;
            *) cmd=$w; break ;;
        esac
        i=$((i + 1))
    done

    if [ -z "$cmd" ]; then
        case $prev in
            --root) COMPREPLY=($(compgen -d -- "$cur")); return ;;
            --log) COMPREPLY=($(compgen -f -- "$cur")); return ;;
            --log-format) COMPREPLY=($(compgen -W "text json" -- "$cur")); return ;;
        esac
        if [[ $cur == -* ]]; then
            COMPREPLY=($(compgen -W "$global" -- "$cur"))
        else
            COMPREPLY=($(compgen -W "$commands" -- "$cur"))
        fi
        return
    fi

    local opts="" takes_id=true
    case $cmd in
        create) opts="--bundle -b --pid-file --console-socket --no-pivot --no-new-keyring --preserve-fds" ;;
        run) opts="--bundle -b --pid-file --detach -d --console-socket --no-pivot --no-new-keyring --preserve-fds" ;;
        delete) opts="--force -f" ;;
        events) opts="--stats --interval" ;;
        exec) opts="--process -p --tty -t --console-socket --detach -d --pid-file --env -e --cwd --user -u --additional-gids -g --cap -c --no-new-privs --apparmor --process-label --preserve-fds --cgroup" ;;
        explain) opts="--bundle -b --format"; takes_id=false ;;
        kill) opts="--all -a" ;;
        list) opts="--format -f --quiet -q"; takes_id=false ;;
        ps) opts="--format -f" ;;
        spec) opts="--bundle -b --rootless"; takes_id=false ;;
        update) opts="--resources -r --memory --memory-reservation --memory-swap --cpu-share --cpu-quota --cpu-period --cpu-burst --cpu-rt-period --cpu-rt-runtime --cpu-idle --cpuset-cpus --cpuset-mems --pids-limit --blkio-weight" ;;
        features) takes_id=false ;;
        help) COMPREPLY=($(compgen -W "$commands" -- "$cur")); return ;;
    esac
    opts="$opts --help -h"

    case $prev in
        -b|--bundle|--cwd) COMPREPLY=($(compgen -d -- "$cur")); return ;;
        --pid-file|--console-socket|-p|--process|-r|--resources) COMPREPLY=($(compgen -f -- "$cur")); return ;;
        -f|--format)
            if [ "$cmd" = explain ]; then
                COMPREPLY=($(compgen -W "text json" -- "$cur"))
            else
                COMPREPLY=($(compgen -W "table json" -- "$cur"))
            fi
            return ;;
        -e|--env|-u|--user|-g|--additional-gids|-c|--cap|--apparmor|--process-label|--preserve-fds|--cgroup|--interval|--memory*|--cpu*|--pids-limit|--blkio-weight)
            return ;;
    esac
    if [[ $cur == -* ]]; then
        COMPREPLY=($(compgen -W "$opts" -- "$cur"))
        return
    fi
    $takes_id || return
    # The words after the command that are not options (or their values):
    # the first is the ID; kill's second is a signal.
    local n=0 j=$((i + 1))
    while [ $j -lt $COMP_CWORD ]; do
        w=${COMP_WORDS[j]}
        case $w in
            -b|--bundle|--pid-file|--console-socket|-p|--process|-e|--env|--cwd|-u|--user|-g|--additional-gids|-c|--cap|--apparmor|--process-label|--preserve-fds|--cgroup|--interval|-r|--resources|-f|--format|--memory|--memory-reservation|--memory-swap|--cpu-share|--cpu-quota|--cpu-period|--cpu-burst|--cpu-rt-period|--cpu-rt-runtime|--cpu-idle|--cpuset-cpus|--cpuset-mems|--pids-limit|--blkio-weight)
                j=$((j + 2)); continue ;;
            -*) ;;
            *) n=$((n + 1)) ;;
        esac
        j=$((j + 1))
    done
    if [ $n = 0 ]; then
        COMPREPLY=($(compgen -W "$(_voidoci_ids "$root")" -- "$cur"))
    elif [ $n = 1 ] && [ "$cmd" = kill ]; then
        local sigs
        sigs=$(kill -l | tr -s '\t ' '\n\n' | sed -n 's/^SIG\([A-Z][A-Z0-9+-]*\)$/\1/p')
        COMPREPLY=($(compgen -W "$sigs" -- "${cur#SIG}"))
    fi
}
complete -F _voidoci voidoci
