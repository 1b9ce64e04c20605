/* The policy's references to the reference data, checked once both are loaded: every
 * warehouse the policy names must be one the inventory has. A typo ("east" for "EAST")
 * would otherwise rank a warehouse no row stocks and quietly move every slip the real
 * one should have had. */
#ifndef ENG_POLICY_REFS_H
#define ENG_POLICY_REFS_H

#include "../../formats/policy.h"
#include "../core/err.h"
#include "inventory.h"

/* ENG_REFUSED, naming the policy file and line, the key, the name and the inventory's
 * closest warehouse name, when a name the policy gives has no inventory row. ENG_NOMEM.
 * policy_path names the file in the message. */
eng_rc eng_policy_check_warehouses(const fmt_policy *pol, const char *policy_path,
                                   const eng_inventory *inv, eng_err *err);

#endif
