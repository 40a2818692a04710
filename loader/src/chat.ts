import { mountChat } from './chat/panel';

/** `chat.<hash>.js`: an ES module the loader imports on first open. */
export default mountChat;
