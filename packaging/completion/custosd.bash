# bash completion for custosd(8). custos(1)'s own is made from its command-line
# definition at build time (custos --generate-completion bash).

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
