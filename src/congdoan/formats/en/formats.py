from congdoan.formats.vi.formats import *  # noqa: F403  (English pages keep the Vietnamese date and number forms)
