from . import services


def prune_frame_log():
    return services.frame_log_prune()
