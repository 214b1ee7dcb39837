"""Template of an optimizer's step in the network's training kernel.

Valid Python, substituted by ravine.core.kernels as trajectory.py is (lines stay where they
are): OPTIMIZER inside names is the optimizer's name, the DEPENDENCIES line imports
update__OPTIMIZER and eval_point__OPTIMIZER, STEP and UPDATE are what `update` returns and
takes for weight i by the optimizer's declaration (t, the update's number, where it asks for
it), AT its look-ahead (or th[i]), and SLOTS, HYPER and POWERS the numbers of its state
slots, hyperparameters after lr and declared powers.

ravine.core.kernels compiles step__OPTIMIZER as a C function of
ravine.core.training_kernel.STEP_SIGNATURE, whose address the training kernel calls.
"""

from numba import carray

update__OPTIMIZER = eval_point__OPTIMIZER = None  # DEPENDENCIES
STEP = UPDATE = AT = SLOTS = HYPER = POWERS = None  # (stand-ins that keep this importable)


def step__OPTIMIZER(phase, th_p, grad_p, st_p, hp_p, pw_p, look_p, P, lr, t):
    """phase 0: look = where OPTIMIZER takes the gradient (its look-ahead, or th itself);
    phase 1: th += its step for every weight, its state slots st (slots, P) updated. The
    arrays are behind C pointers (STEP_SIGNATURE)."""
    th, grad, look = carray(th_p, P), carray(grad_p, P), carray(look_p, P)
    st, hp, pw = carray(st_p, (SLOTS, P)), carray(hp_p, HYPER), carray(pw_p, POWERS)
    if phase == 0:
        for i in range(P):
            look[i] = AT
    else:
        for i in range(P):
            STEP = update__OPTIMIZER(UPDATE)
            th[i] += d  # noqa: F821  (d: named by STEP)
