# bash completion for slipway (installed by `make install` as
# $(PREFIX)/share/bash-completion/completions/slipway)
_slipway()
{
    local cur prev words cword
    _init_completion 2>/dev/null || {
        cur=${COMP_WORDS[COMP_CWORD]}
        prev=${COMP_WORDS[COMP_CWORD-1]}
        words=("${COMP_WORDS[@]}")
        cword=$COMP_CWORD
    }
    local cmd=${words[1]}
    if [ "$cword" -eq 1 ]; then
        COMPREPLY=($(compgen -W "run verify reconcile init slurm task help --help --version" -- "$cur"))
        return
    fi
    case $prev in
    --catalog | --inventory | --orders | --returns | --policy | --payouts | --payout-map)
        compopt -o filenames 2>/dev/null
        COMPREPLY=($(compgen -f -- "$cur"))
        return ;;
    --history | --out | --work)
        compopt -o filenames 2>/dev/null
        COMPREPLY=($(compgen -f -- "$cur"))
        return ;;
    --format)
        COMPREPLY=($(compgen -W "auto canonical canonical-semicolon canonical-tab shopify amazon woocommerce ebay tmall map:" -- "$cur"))
        return ;;
    --payout-format)
        COMPREPLY=($(compgen -W "auto amazon-settlement ebay-transactions paypal shopify-payments stripe map:" -- "$cur"))
        return ;;
    --encoding)
        COMPREPLY=($(compgen -W "utf-8 windows-1252 gb18030" -- "$cur"))
        return ;;
    --date-order)
        COMPREPLY=($(compgen -W "dmy mdy" -- "$cur"))
        return ;;
    --threads | --run-date | --as-of | --mode | --memory-limit | --shards)
        return ;;
    esac
    local flags
    case $cmd in
    run) flags="--catalog --inventory --orders --returns --history --policy --format --encoding --date-order --threads --run-date --compress --xlsx --mode --memory-limit --shards --work --quiet --progress --out --help" ;;
    verify) flags="--catalog --inventory --orders --returns --history --policy --quiet --progress --help" ;;
    reconcile) flags="--history --payouts --policy --as-of --payout-format --payout-map --mode --quiet --progress --out --help" ;;
    init) flags="--quiet --help" ;;
    task) flags="--work --plan --threads --help" ;;
    slurm) flags="--catalog --inventory --orders --returns --history --policy --format --encoding --date-order --threads --run-date --compress --xlsx --mode --memory-limit --shards --work --dry-run --status --quiet --progress --out --help" ;;
    *) flags="" ;;
    esac
    if [[ $cur == -* ]]; then
        COMPREPLY=($(compgen -W "$flags" -- "$cur"))
    else
        compopt -o filenames 2>/dev/null
        COMPREPLY=($(compgen -f -- "$cur"))
    fi
}
complete -F _slipway slipway
