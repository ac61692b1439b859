// chgrp: changes the group of files (chown's code, named chgrp).
export { main } from './chown.js';
