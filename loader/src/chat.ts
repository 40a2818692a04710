import { mountChat } from './chat/panel';
import { CHAT_READY_EVENT, type MountChat } from './contract';

/** `chat.<hash>.js`: hands the panel to the loader that added this script. */
document.currentScript?.dispatchEvent(new CustomEvent<MountChat>(CHAT_READY_EVENT, { detail: mountChat }));
