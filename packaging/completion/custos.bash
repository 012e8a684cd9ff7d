# bash completion for custos(1) and custosd(8)

_custos_roots() {
    # Root names from the running daemon, when it answers.
    custos status --json "$@" 2>/dev/null | sed -n 's/^ *"name": "\([a-z0-9_-]*\)",\{0,1\}$/\1/p'
}

_custos() {
    local cur prev words cword
    _init_completion || return

    local commands="scan classify check-config detectors findings report status scan-now reload help"
    if [[ $cword -eq 1 ]]; then
        COMPREPLY=($(compgen -W "$commands --help --version" -- "$cur"))
        return
    fi

    case $prev in
        --policy|--config|-o|--output|--magic|--db)
            _filedir
            return
            ;;
        --socket)
            _filedir
            return
            ;;
        --format)
            case ${words[1]} in
                report) COMPREPLY=($(compgen -W "html csv json" -- "$cur")) ;;
                classify) COMPREPLY=($(compgen -W "text jsonl" -- "$cur")) ;;
                *) COMPREPLY=($(compgen -W "jsonl json csv table" -- "$cur")) ;;
            esac
            return
            ;;
        --kind)
            COMPREPLY=($(compgen -W "daemon policy" -- "$cur"))
            return
            ;;
        --threads|--max-depth|--max-path|--now|--exclude|--timeout|--since)
            return
            ;;
    esac

    case ${words[1]} in
        scan)
            if [[ $cur == -* ]]; then
                COMPREPLY=($(compgen -W "--policy --format --all -o --output --exclude --threads
                    --cross-filesystems --max-depth --max-path --now --magic --no-content
                    --db --no-db --config -q --quiet --help" -- "$cur"))
            else
                _filedir
            fi
            ;;
        classify)
            if [[ $cur == -* ]]; then
                COMPREPLY=($(compgen -W "--policy --format --magic --help" -- "$cur"))
            else
                _filedir
            fi
            ;;
        check-config)
            if [[ $cur == -* ]]; then
                COMPREPLY=($(compgen -W "--kind --help" -- "$cur"))
            else
                _filedir
            fi
            ;;
        findings)
            COMPREPLY=($(compgen -W "list show ack except note --db --help" -- "$cur"))
            ;;
        report)
            COMPREPLY=($(compgen -W "--db --since --format -o --help" -- "$cur"))
            ;;
        status)
            COMPREPLY=($(compgen -W "--json --socket --help" -- "$cur"))
            ;;
        scan-now)
            if [[ $cur == -* ]]; then
                COMPREPLY=($(compgen -W "--wait --timeout --socket --help" -- "$cur"))
            else
                COMPREPLY=($(compgen -W "$(_custos_roots)" -- "$cur"))
            fi
            ;;
        reload)
            COMPREPLY=($(compgen -W "--socket --help" -- "$cur"))
            ;;
        help)
            COMPREPLY=($(compgen -W "$commands" -- "$cur"))
            ;;
    esac
} && complete -F _custos custos

_custosd() {
    local cur prev words cword
    _init_completion || return
    case $prev in
        --config)
            _filedir '@(yaml|yml)'
            return
            ;;
    esac
    COMPREPLY=($(compgen -W "--config --foreground --check --version --help" -- "$cur"))
} && complete -F _custosd custosd
